-- gopm incident archive, schema version 9: the threads of a core that run code that is not
-- Go (threads created by C code, threads in C under runtime.cgocall; src/goroutines/threads.c),
-- in the core's thread order, each with its native stack (a row of stacks, shared with the
-- goroutines' stacks and kept by gc while a thread points to it), so that `gopm show` prints
-- them as `gopm analyze` did. Incidents stored before this version have no rows here.
CREATE TABLE threads (
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	ordinal INTEGER NOT NULL,  -- in the core's thread order, from 0
	tid INTEGER NOT NULL,
	m_id INTEGER,              -- NULL: no Go m (a thread created by C code)
	goroutine INTEGER,         -- the goroutine whose C call it runs; NULL none
	unwound INTEGER NOT NULL,  -- enum gpm_thread_unwind
	problem TEXT,              -- why its stack ends early; NULL
	stack_id INTEGER REFERENCES stacks(id),
	PRIMARY KEY (incident_id, ordinal)
) WITHOUT ROWID;
CREATE INDEX threads_stack ON threads (stack_id);
