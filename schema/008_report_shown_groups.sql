-- gopm incident archive, schema version 8: how many goroutine groups a stored report would
-- show without a cut. The archive keeps the first 32 of them (12 before this version), so
-- `gopm show --groups N` can tell whether it renders what `analyze --groups N` showed or
-- must say that groups were not kept. NULL for reports stored before (show then guesses from
-- the number kept).
ALTER TABLE reports ADD COLUMN shown_groups INTEGER;
