-- gopm incident archive, schema version 10: one index fewer on goroutines, the archive's
-- largest table (a row per goroutine; each index on it was about a third of storing a
-- 100,000-goroutine dump). goroutines_incident (incident_id) is a prefix of schema 6's
-- goroutines_group (incident_id, group_ordinal, id, ...), which answers every lookup by
-- incident and the cascade when an incident is removed. Nothing here depends on schema 9.
DROP INDEX IF EXISTS goroutines_incident;
