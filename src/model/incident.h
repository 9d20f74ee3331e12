/*
 * The incident model: what gopm knows about one snapshot of a Go process, whether it came
 * from a core or from goroutine-dump text. Everything downstream (analysis, store, TUI)
 * reads only this.
 *
 * Memory: strings are interned in the incident (function and file names once each);
 * stacks are deduplicated (goroutines with the same frames share one gpm_stack), so a
 * 100,000-goroutine snapshot costs memory in proportion to its distinct stacks. Values
 * that differ per goroutine even when the frames agree (frame sp/fp from a "system"
 * traceback or a core) are kept per goroutine only when present. A goroutine itself is a
 * 64-byte record; its rare facts live in a side array (gpm_goroutine_extra).
 */
#ifndef GPM_MODEL_INCIDENT_H
#define GPM_MODEL_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/error.h"
#include "base/intern.h"
#include "base/vec.h"

/* runtime/runtime2.go: _Gidle ... _Gdeadextra (Go 1.26); the scan bit (0x1000) is removed. */
enum gpm_gstatus {
	GPM_G_IDLE = 0,
	GPM_G_RUNNABLE = 1,
	GPM_G_RUNNING = 2,
	GPM_G_SYSCALL = 3,
	GPM_G_WAITING = 4,
	GPM_G_MORIBUND = 5,
	GPM_G_DEAD = 6,
	GPM_G_ENQUEUE = 7,
	GPM_G_COPYSTACK = 8,
	GPM_G_PREEMPTED = 9,
	GPM_G_LEAKED = 10,
	GPM_G_DEADEXTRA = 11,
	GPM_G_UNKNOWN = 255,
};
/* The runtime's name for a status ("runnable", "chan receive" is a wait reason instead). */
const char *gpm_gstatus_name(enum gpm_gstatus s);

enum gpm_frame_flags {
	GPM_FRAME_INLINED = 1 << 0,    /* an inlined call: "(...)" in text, no +0x offset */
	GPM_FRAME_HAS_OFFSET = 1 << 1, /* "+0x1f" was printed / is known */
	GPM_FRAME_ELIDED = 1 << 2,     /* a "...N frames elided..." marker; line holds N */
	GPM_FRAME_NON_GO = 1 << 3,     /* unwinding stopped at non-Go (cgo) code at pc */
	GPM_FRAME_UNKNOWN_PC = 1 << 4, /* pc not in any Go function */
	GPM_FRAME_SIGNAL = 1 << 5,     /* a frame the runtime's signal handling inserted */
	GPM_FRAME_NO_ARGS = 1 << 6,    /* arguments not recorded (pprof debug=1): printed "(...)" */
	GPM_FRAME_C = 1 << 7,          /* a C frame named by the cgo symbolizer: no parentheses */
	GPM_FRAME_NO_LOC = 1 << 8,     /* the text gave no location line for it */
	GPM_FRAME_GCCGO = 1 << 9,      /* a frame of gccgo's libgo traceback: a name without
	                                  arguments, a location without +0x offset */
};

struct gpm_frame {
	const char *func; /* interned; full name as the runtime prints it, e.g. "main.(*T).Run" */
	const char *file; /* interned; NULL when unknown */
	const char *args; /* interned; the argument text between the parentheses; NULL = none */
	uint64_t pc;      /* 0 when unknown (text dumps print no pc outside "system" form) */
	uint32_t line;
	uint32_t offset; /* pc - function entry, valid with GPM_FRAME_HAS_OFFSET */
	uint32_t flags;
};

/* A deduplicated sequence of frames, innermost first. */
struct gpm_stack {
	uint64_t hash;
	uint32_t first; /* index into incident->frames */
	uint32_t nframes;
	uint32_t refs; /* goroutines using it */
	/* Into incident->stack_regs: the sp and fp of each frame as offsets from the first
	 * frame's sp, as the first goroutine of this stack read from a core had them;
	 * UINT32_MAX none (see gpm_incident_goroutine_set_regs). */
	uint32_t regs_first;
};

struct gpm_label {
	const char *key, *value; /* interned */
};

/* Per-frame values that differ between goroutines that share a stack. */
struct gpm_frame_regs {
	uint64_t sp, fp;
};

/* A frame's sp and fp as offsets from its stack's first sp (GPM_FRAME_REGS_ZERO: 0). */
struct gpm_frame_offsets {
	int32_t sp, fp;
};
#define GPM_FRAME_REGS_ZERO INT32_MIN

enum gpm_goroutine_flags {
	GPM_GOROUTINE_LOCKED = 1 << 0,      /* locked to thread */
	GPM_GOROUTINE_TRUNCATED = 1 << 1,   /* the stack could not be read to its end */
	GPM_GOROUTINE_DAMAGED = 1 << 2,     /* something about it is wrong; see extra problem */
	GPM_GOROUTINE_SYSTEM = 1 << 3,      /* a system goroutine (runtime-internal) */
	GPM_GOROUTINE_CURRENT = 1 << 4,     /* the goroutine that crashed / printed the dump */
	GPM_GOROUTINE_DURABLE = 1 << 5,     /* "(durable)" in a synctest bubble */
	GPM_GOROUTINE_MORE_FRAMES = 1 << 6, /* "...additional frames elided..." */
	GPM_GOROUTINE_NO_STACK = 1 << 7,    /* dump gave a header without frames */
	/* Added with the text-dump reader (src/dump/): */
	GPM_GOROUTINE_RUNTIME_STACK =
	    1 << 8, /* a "runtime stack:" block (the crashing thread's g0) */
	GPM_GOROUTINE_REPEAT =
	    1 << 9, /* listed again in a per-thread "-----" section of a
	               GOTRACEBACK=crash dump: a second view, not another goroutine */
	GPM_GOROUTINE_UNAVAILABLE =
	    1 << 10,                  /* "goroutine running on other thread; stack unavailable" */
	GPM_GOROUTINE_SCAN = 1 << 11, /* " (scan)": the status had the scan bit */
	GPM_GOROUTINE_LABELS_INSIDE = 1
	                              << 12, /* Go 1.26 (GODEBUG) form: " labels:{...}" inside [] */
	GPM_GOROUTINE_SYNCTEST_GROUP = 1 << 13, /* Go 1.24 wording "synctest group N" */
	GPM_GOROUTINE_PPROF_RECORD = 1 << 14,   /* one of the N goroutines of a pprof debug=1 record
	                                           (no id, state or arguments known) */
	GPM_GOROUTINE_RACE_ACCESS = 1 << 15,    /* a memory access of a race detector report
	                                           (incident->races): its stack is the access's,
	                                           not the goroutine's state at one instant */
	GPM_GOROUTINE_NO_HEADER = 1 << 16,      /* frames pasted without their goroutine header:
	                                           id (0) and state unknown */
	GPM_GOROUTINE_NO_ID = 1 << 17,          /* one of the COUNT goroutines of a bucket a tool
	                                           folded them into (panicparse's "COUNT: state",
	                                           "COUNT goroutines [state]:"): id (0) not printed */
	GPM_GOROUTINE_RECOVER_LOG = 1 << 18,    /* a recovered panic's stack a recover logged in
	                                           the format of Go's first debug.Stack (gin's,
	                                           martini's Recovery): "FILE:LINE (0xPC)" */
};

/* A "[originating from goroutine N]:" block (GODEBUG=tracebackancestors). */
struct gpm_ancestor {
	uint64_t id;
	uint32_t stack;      /* index into incident->stacks; frames print as "f(...)" + offset */
	uint32_t created_by; /* index into incident->frames; UINT32_MAX none */
	uint32_t flags;      /* GPM_GOROUTINE_MORE_FRAMES */
};

/* A register as printed after a signal ("rax    0x0"). */
struct gpm_reg {
	const char *name; /* interned */
	uint64_t value;
};

/*
 * One signal section of a dump: the "SIGQUIT: quit" / "PC=0x… m=N sigcode=N" lines, the
 * goroutines printed under them and the register dump after them. A GOTRACEBACK=crash dump
 * prints one per thread, separated by "-----". Section 0 is the first one; crash.regs and
 * crash.m_id repeat its values.
 */
struct gpm_signal_section {
	const char *signal; /* interned; "SIGQUIT: quit" as printed */
	uint64_t pc;
	int64_t m_id;    /* -1 not printed */
	int64_t sigcode; /* INT64_MIN not printed */
	uint64_t addr;
	bool has_addr;
	bool separator;    /* printed after a "-----" line */
	const char *extra; /* interned; line printed after PC= (e.g. "signal arrived during cgo
	                      execution"), NULL none */
	uint32_t first_goroutine, ngoroutines; /* range of incident->goroutines */
	uint32_t first_reg, nregs;             /* range of incident->regs */
};

/*
 * One goroutine: a small fixed record, because a dump can list millions. What most
 * goroutines lack (addresses and thread of a core, registers per frame, labels,
 * ancestors, a problem, wait objects) is in a gpm_goroutine_extra beside it, created only
 * for goroutines that have some: read it with gpm_goroutine_extra (never NULL), create
 * or update it with gpm_incident_goroutine_extra.
 */
struct gpm_goroutine {
	uint64_t id;
	uint64_t parent_id; /* "in goroutine N"; 0 unknown */
	const char *state;  /* interned; what the runtime prints in brackets, e.g. "chan receive",
	                       "running", "select (no cases)" */
	const char *wait_reason; /* interned; NULL unless waiting */
	int64_t wait_minutes;    /* -1 unknown / not printed */
	uint32_t flags;          /* enum gpm_goroutine_flags */
	uint32_t stack;          /* index into incident->stacks; UINT32_MAX = none */
	uint32_t
	    created_by; /* index into incident->frames of the "created by" frame; UINT32_MAX none */
	uint32_t args;  /* the argument texts of its frames (as printed between the parentheses):
	                   an offset into incident->arg_text of one NUL-terminated text per frame,
	                   or with args_in_text into incident->text, where its frame lines start;
	                   UINT32_MAX: use the frames' own args. Text dumps keep arguments here so
	                   stacks that differ only in argument values share one gpm_stack. Read
	                   them with gpm_goroutine_args_begin. */
	uint32_t extra; /* index into incident->extras; UINT32_MAX none (use the accessors) */
	uint8_t status; /* enum gpm_gstatus */
	bool args_in_text;
};

/* The rarer facts about a goroutine; defaults (gpm_goroutine_extra_none) when not known. */
struct gpm_goroutine_extra {
	uint64_t gaddr;           /* address of the runtime.g; 0 unknown */
	uint64_t mp;              /* address of the runtime.m it runs on; 0 none */
	int64_t m_id;             /* m.id, -1 none */
	int64_t thread_id;        /* LWP / m.procid, -1 none */
	uint64_t start_pc;        /* g.startpc; 0 unknown */
	uint64_t synctest_bubble; /* "synctest bubble N"; 0 none */
	/* owned; nframes entries or NULL when none known or derived (regs_derived): read
	   them with gpm_goroutine_frame_regs */
	struct gpm_frame_regs *regs;
	const char *problem;                 /* interned; why DAMAGED/TRUNCATED, NULL otherwise */
	uint32_t first_label, nlabels;       /* into incident->labels */
	uint32_t first_ancestor, nancestors; /* into incident->ancestors */
	uint32_t elided_frames; /* frames the runtime elided ("...N frames elided...") */
	/* Added with analysis (cores only, src/goroutines/objects.c): */
	uint8_t wait_object_kind; /* enum gpm_wait_object */
	uint8_t g_words;          /* cores: enum gpm_g_words, what its runtime.g held when it was
	                             read, so that objects.c need not read every g again */
	bool regs_derived;        /* regs are regs_sp0 plus its stack's offsets (stack_regs) */
	uint64_t wait_object;     /* what it is blocked on: the hchan, the semaphore's address
	                             (for a sync.Mutex the mutex itself), the first select
	                             channel; 0 unknown */
	uint64_t held_object;     /* a mutex others wait for that this goroutine's own frames
	                             refer to (outside the Lock it may be blocked in): a hint
	                             that it holds it, not proof; 0 none */
	/* interned: the global variable wait_object lies in, by the executable's symbol table
	   ("main.mu", "main.state+8"); NULL unknown (stripped, a heap object) */
	const char *wait_object_name;
	uint64_t regs_sp0; /* with regs_derived: the sp of the first frame */
	/* Added with select cases (cores only, src/goroutines/corefacts.c), for one goroutine
	   of each distinct stack blocked in select: its cases' channels in
	   incident->select_cases, and the contexts found in its frames (how many; of them,
	   how many had no done channel yet: Done() never called). */
	uint32_t first_case, ncases;
	uint8_t contexts, contexts_without_done;
	bool cases_complete; /* every sudog of the select was read */
};

/* One channel a goroutine blocked in select waits on (cores: a sudog of its g.waiting). */
struct gpm_select_case {
	uint64_t chan;         /* the runtime.hchan */
	const char *elem_type; /* interned: its element type ("struct {}", "string"); NULL
	                          unknown */
	bool ctx_done;         /* the done channel of a context found in the goroutine's frames */
	bool timer;            /* the channel of a pending runtime timer (time.After, NewTimer,
	                          NewTicker): the select wakes by itself when it fires */
	const char *global;    /* interned: the global variable holding it ("main.upstream");
	                          NULL none known */
};

/* Pending runtime timers with one callback function (cores: runtime.p's timer heaps). */
struct gpm_timer_count {
	const char *func; /* interned: "time.sendTime" (time.After, NewTimer, NewTicker),
	                     "time.goFunc" (AfterFunc), else the function's name or "?" */
	uint64_t count;
	uint64_t period; /* the period in ns of the first one (tickers), 0 none */
	/* When they fire (runtime nanotime, timer.when): the soonest and the latest; 0 unknown.
	 * With gpm_incident.core_now, how far ahead of the snapshot they are due. */
	int64_t when_min, when_max;
	bool rest; /* not one callback: the timers of callbacks past the kept ones */
};

/* The scheduler's stop-the-world state as a core recorded it (runtime.sched). */
struct gpm_sched_state {
	bool known;         /* the sched fields below were read (needs the symbol runtime.sched) */
	bool gcwaiting;     /* sched.gcwaiting: a stop-the-world is under way */
	int32_t stopwait;   /* sched.stopwait: Ps still to stop */
	bool stopnote_set;  /* sched.stopnote woken (futex key != 0) */
	uint32_t nprocs;    /* Ps in allp (0 unknown; known without runtime.sched too) */
	uint32_t running;   /* of them, _Prunning */
	uint32_t gcstopped; /* of them, _Pgcstop */
	uint64_t allp;      /* address of runtime.allp's slice header, 0 not found */
	const char *allp_how; /* static: "symbol runtime.allp" or "scan of the data segments" */
	const char *why_not;  /* static: why the sched fields were not read; NULL unknown */
};

/* gpm_goroutine_extra.g_words: set by the goroutine reader of a core (0: not known). */
enum gpm_g_words {
	GPM_G_WORDS_KNOWN = 1,   /* the bits below were read from the g */
	GPM_G_WORDS_PANIC = 2,   /* g._panic is not nil */
	GPM_G_WORDS_WAITING = 4, /* g.waiting is not nil */
};

/* What gpm_goroutine.wait_object is. */
enum gpm_wait_object {
	GPM_WAIT_OBJECT_NONE = 0,
	GPM_WAIT_OBJECT_CHAN,   /* a runtime.hchan (channel send/receive) */
	GPM_WAIT_OBJECT_SELECT, /* a select: the first case's hchan */
	GPM_WAIT_OBJECT_MUTEX,  /* a sync.Mutex (address of the mutex) */
	GPM_WAIT_OBJECT_SEMA,   /* another semaphore (RWMutex, WaitGroup...): its address */
};

enum gpm_input_kind {
	GPM_INPUT_UNKNOWN,
	GPM_INPUT_CORE,
	GPM_INPUT_DUMP,     /* goroutine-dump text: panic/fatal/SIGQUIT output */
	GPM_INPUT_PPROF1,   /* /debug/pprof/goroutine?debug=1 */
	GPM_INPUT_PPROF2,   /* ?debug=2 */
	GPM_INPUT_HEAPDUMP, /* runtime/debug.WriteHeapDump */
	GPM_INPUT_PPROF0,   /* ?debug=0: the protobuf profile (src/dump/profile.c) */
};

/* What the runtime printed (or the core recorded) about how the process ended. */
enum gpm_fatal_kind {
	GPM_FATAL_NONE,
	GPM_FATAL_PANIC,  /* panic: ... */
	GPM_FATAL_THROW,  /* fatal error: ... */
	GPM_FATAL_SIGNAL, /* an unexpected signal (SIGSEGV in Go code, ...) */
	GPM_FATAL_QUIT,   /* SIGQUIT: quit (dump requested) */
	GPM_FATAL_RACE,   /* race detector report */
	GPM_FATAL_UNKNOWN,
};

struct gpm_panic {
	const char *message; /* interned; value as printed, e.g. "runtime error: ..." */
	bool recovered;      /* "[recovered]" */
	bool repanicked;     /* "[recovered, repanicked]" */
	bool is_error;       /* an error value (Go 1.18+ prints the same for error/Stringer) */
	/* Cores: the value's interface words (_panic.arg: type descriptor, data; 0 unknown)
	 * and a `gopm print` expression of the value (interned; NULL when none applies). */
	uint64_t arg_type, arg_data;
	const char *print;
};

struct gpm_crash {
	enum gpm_fatal_kind kind;
	const char *fatal_message; /* interned; "all goroutines are asleep - deadlock!" etc. */
	GPM_VEC(struct gpm_panic) panics; /* outermost first, as printed */
	/* Values of panics a program recovered and logged with their stack, in input order:
	 * net/http's "http: panic serving ADDR: V" (interned). The process went on. */
	GPM_VEC(const char *) recovered;
	int signo;           /* 0 none */
	const char *signame; /* interned; "SIGSEGV" */
	const char *sigdesc; /* interned; "segmentation violation" */
	int64_t sigcode;     /* INT64_MIN unknown */
	uint64_t fault_addr;
	bool has_fault_addr;
	uint64_t pc;          /* pc= of the signal, 0 unknown */
	int64_t m_id;         /* m= of a SIGQUIT header, -1 unknown */
	uint64_t oom_request; /* "runtime: out of memory: cannot allocate N-byte block" */
	uint64_t stack_limit; /* "runtime: goroutine stack exceeds N-byte limit" */
	uint64_t
	    current_goroutine; /* the goroutine printed first as [running] after the preamble; 0 */
	int exit_status;       /* "exit status N"; -1 none */
	/* go test -v: the tests its "=== RUN" lines started that no "--- PASS/FAIL/SKIP" line
	 * ended before a "test timed out" panic that lists no "running tests:" (Go before
	 * 1.20, or the list cut), one name per line (interned); NULL none. */
	const char *tests_started;
	struct {
		const char *name;
		uint64_t value;
	} regs[32]; /* register dump, if printed */
	unsigned nregs;
	/* Added with analysis: the signal a goroutine took before the runtime crashed the
	 * process (a core records the runtime's own SIGABRT; the original SIGSEGV is in the
	 * panicking goroutine's g.sig/sigcode0/sigcode1/sigpc). 0 = none. */
	int go_signo;
	uint64_t go_sigcode, go_sigaddr, go_sigpc;
	uint64_t go_sig_goroutine; /* its id */
	uint64_t panic_goroutine;  /* the goroutine whose g._panic was read (cores); 0 none */
	/* Added with live snapshots: a core of a process that did not die (gdb's gcore of a
	 * stopped process). signo is then 0 and stop_signo the signal the core records
	 * (SIGSTOP of the attach, a breakpoint's SIGTRAP; 0 none). */
	bool live_snapshot;
	int stop_signo;
	/* Added with cgo (cores): a signal taken in C code called through cgo. The kernel
	 * records the runtime's SIGABRT; the original signal and the interrupted pc are in the
	 * kernel's signal frame on the crashing thread's signal stack. c_func and c_file are
	 * interned (NULL unknown: a stripped executable names no C function). */
	int c_signo; /* 0 none */
	uint64_t c_sigaddr, c_pc;
	bool c_has_addr;
	const char *c_func, *c_file;
	uint32_t c_line;
	uint64_t c_goroutine; /* the goroutine whose C call it was (its m's curg); 0 unknown */
};

struct gpm_warning {
	const char *text; /* interned */
};

/*
 * One access of a race detector report ("Write at 0x00c000012345 by goroutine 7:",
 * "Previous read at … by main goroutine:"; src/dump/race.c). The goroutine record holds
 * the access's stack, its state ("race: write at 0x…"), its creator (created_by: the top
 * frame of "Goroutine 7 (running) created at:") and the whole creation stack as its one
 * ancestor (gpm_ancestor.id 0: the race runtime does not say which goroutine created it).
 */
struct gpm_race_access {
	uint32_t goroutine; /* index into incident->goroutines; UINT32_MAX: not printed */
	uint64_t addr;      /* valid with has_addr (old race runtimes printed no address) */
	bool has_addr;
	bool write; /* a write; else a read */
};

/* One "WARNING: DATA RACE" report: the access that found the race and the earlier,
 * unsynchronised access to the same memory it conflicts with. */
struct gpm_race {
	struct gpm_race_access access;   /* "Read at" / "Write at" */
	struct gpm_race_access previous; /* "Previous read at" / "Previous write at" */
	const char *location;    /* interned; what the memory is, as printed ("Heap block of size
	                            8 at 0x… allocated by goroutine 6", "Global var x of size 8
	                            at 0x… declared at x.go:3"); NULL none */
	uint32_t location_stack; /* index into incident->stacks of a heap block's allocation;
	                            UINT32_MAX none */
};

/* What a go-deadlock report says (src/dump/deadlock.h). */
enum gpm_lock_report_kind {
	GPM_LOCK_REPORT_ORDER,     /* two goroutines took the same two locks in opposite orders */
	GPM_LOCK_REPORT_RECURSIVE, /* a goroutine locked a lock it already held */
	GPM_LOCK_REPORT_TIMEOUT,   /* a goroutine waited past a timeout for a lock another held */
};

enum { GPM_LOCK_REPORT_STACKS = 4 };

/* One "POTENTIAL DEADLOCK:" report of go-deadlock or a fork of it, in the order printed. */
struct gpm_lock_report {
	uint8_t kind;        /* enum gpm_lock_report_kind */
	uint64_t lock;       /* the lock's address; 0 not printed (ORDER names none) */
	uint64_t holder;     /* the goroutine holding it (RECURSIVE: the same as waiter); 0 */
	uint64_t waiter;     /* the goroutine trying to take it; 0 unknown */
	const char *timeout; /* interned; the timeout as printed ("30s"); NULL none */
	uint32_t others;     /* entries under "Other goroutines holding locks:" */
	/* Into incident->stacks, UINT32_MAX when not printed. ORDER: one goroutine's first
	 * and second lock, then another goroutine's first and second. RECURSIVE: the second
	 * lock, then where the goroutine took it before. TIMEOUT: where the holder took it,
	 * then where the waiter tries to. Each stack's first frame is where Lock is called. */
	uint32_t stacks[GPM_LOCK_REPORT_STACKS];
};

/* How a native thread's stack was unwound (gpm_thread.how). */
enum gpm_thread_unwind {
	GPM_THREAD_UNWIND_CFI, /* call frame information (.eh_frame/.debug_frame) via libdwfl */
	GPM_THREAD_UNWIND_FP,  /* frame pointers */
	GPM_THREAD_UNWIND_CFI_SCAN, /* the innermost frame in code of no known module (a library
	                               not on this machine), the rest by CFI from the return
	                               address a stack scan found above it */
};

/*
 * A thread of a core that runs code that is not Go (cores only): a thread created by C code
 * (no Go m), a thread in C under runtime.cgocall (its m's goroutine is in the C call), an
 * extra m of a cgo callback waiting in C. Its native stack is innermost first; C frames have
 * GPM_FRAME_C, func the symbol ("?" unknown) and file:line from DWARF, or, without line
 * information, file the mapped file's base name ("libc.so.6") and line 0; the Go frame where
 * the C code was entered (runtime.asmcgocall) ends it with Go's name.
 */
/* "cfi", "frame pointers", "cfi after a stack scan": how the text and JSON name it. */
const char *gpm_thread_unwind_name(enum gpm_thread_unwind how);

struct gpm_thread {
	int64_t tid;
	int64_t m_id;        /* -1: no Go m (a thread created by C code) */
	uint64_t goroutine;  /* the goroutine whose C call it runs (its m's curg); 0 none */
	uint32_t stack;      /* index into incident->stacks; UINT32_MAX none */
	uint8_t how;         /* enum gpm_thread_unwind */
	const char *problem; /* interned; why the stack ends early; NULL */
};

struct gpm_incident {
	struct gpm_intern *strings;
	enum gpm_input_kind kind;
	const char *source_name; /* interned; input file */
	const char *go_version;  /* interned; "go1.22.2", NULL unknown */
	const char *main_module; /* interned */
	const char *exe_path;    /* interned */
	const char *build_id;    /* interned, hex */
	/* Added with the archive's facts (NULL / 0 unknown): the executable's path as the
	 * process had it (a core's NT_FILE mapping of the main executable, else AT_EXECFN),
	 * which exe_path (the file gopm read) need not be; build info's vcs.revision (with
	 * "+dirty" when vcs.modified) and vcs.time (unix seconds). */
	const char *process_exe;  /* interned */
	const char *host;         /* interned: the host the input names (a log record's); NULL */
	const char *vcs_revision; /* interned */
	int64_t vcs_time;
	const char *cmdline; /* interned */
	const char *arch;    /* static: GOARCH of a core, NULL unknown */
	int64_t pid;         /* -1 unknown */
	int64_t time;        /* unix seconds of the snapshot, 0 unknown */
	struct gpm_crash crash;
	GPM_VEC(struct gpm_goroutine) goroutines;
	GPM_VEC(struct gpm_frame) frames; /* all frames of all stacks + created-by frames */
	GPM_VEC(struct gpm_stack) stacks;
	GPM_VEC(struct gpm_label) labels;
	GPM_VEC(struct gpm_warning) warnings;
	void *stack_index; /* private: hash -> stack */
	size_t stack_index_cap;
	uint32_t snapshot; /* index of this snapshot when a file held several */
	/* Added with the text-dump reader: */
	GPM_VEC(struct gpm_ancestor) ancestors;
	GPM_VEC(struct gpm_signal_section) sections;
	GPM_VEC(struct gpm_reg) regs;
	GPM_VEC(char) arg_text; /* see gpm_goroutine.args */
	const char *text;       /* borrowed: the dump text argument texts may be read from in place
	                           (gpm_dump_options.borrow_text); NULL none */
	size_t text_len;
	GPM_VEC(struct gpm_goroutine_extra) extras; /* see gpm_goroutine.extra */
	uint64_t pprof_total;                       /* "goroutine profile: total N"; 0 none */
	/* A goroutineleak profile (Go 1.26+, text or protobuf): every goroutine it lists is one
	 * the runtime's garbage collector found leaked (status GPM_G_LEAKED). */
	bool leak_profile;
	/* The profile was read as `go tool pprof -traces` printed it (profile.c), not as protobuf.
	 */
	bool pprof_traces;
	/* A dump's lines before its first goroutine (panic, fatal error, [signal …], runtime:
	 * messages, unexpected fault address) exactly as read, '\n'-separated; NULL for cores
	 * and dumps without them. The printer gives them back as they were. */
	const char *preamble_text;
	uint64_t panics_dropped; /* nested panics beyond the cap, not stored in crash.panics */
	/* Added with race detector reports (src/dump/race.c), in the order printed: */
	GPM_VEC(struct gpm_race) races;
	uint64_t races_dropped; /* reports beyond the cap (counted, not stored) */
	uint64_t races_found;   /* "Found N data race(s)" (the runtime's count); 0 none */
	GPM_VEC(const char *)
	race_tests; /* interned; tests that failed with "race detected
	               during execution of test" ("TestCache") */
	/* Added with go-deadlock reports (src/dump/deadlock.c), in the order printed: */
	GPM_VEC(struct gpm_lock_report) lock_reports;
	uint64_t lock_reports_dropped; /* reports beyond the cap (counted, not stored) */
	/* Added with the heap reader (cores only): the heap as walked in the core. */
	bool heap_known;
	uint64_t heap_inuse;   /* bytes of in-use heap spans (HeapInuse) */
	uint64_t heap_bytes;   /* bytes of allocated objects (HeapAlloc) */
	uint64_t heap_objects; /* allocated objects (HeapObjects) */
	/* What holds the heap, for cores of out-of-memory crashes (src/ingest/core.c): the
	 * top of the heap's dominator tree that keeps at least 1% of it, largest first. */
	struct gpm_heap_holder {
		const char *what; /* interned: "main.cache (global) (holding []T)", "goroutine 9:
		                     main.(*Cache).add (stack frame)", "object (32 B, untyped)
		                     shared by several roots" */
		const char *path; /* interned: how a root reaches a shared object ("goroutine 9:
		                     main.(*Cache).add -> object (32 B, untyped)"); NULL else */
		uint64_t bytes, objects; /* retained */
	} heap_holders[3];
	unsigned nheap_holders;
	/* Added with native stacks (cores, src/goroutines/threads.c): the threads running code
	 * that is not Go, in the core's thread order; threads_unread of them could not be
	 * unwound at all (a warning says which). */
	GPM_VEC(struct gpm_thread) threads;
	uint32_t threads_unread;
	struct gpm_prefault prefault_goroutines, prefault_args; /* private */
	/* private: blocks of gpm_incident_regs_alloc (sorted by address when destroyed) */
	GPM_VEC(struct gpm_frame_regs *) regs_blocks;
	GPM_VEC(struct gpm_frame_offsets) stack_regs; /* see gpm_stack.regs_first */
	size_t regs_block_used;                       /* entries used of the last block */
	struct gpm_prefault prefault_extras;          /* private */
	/* Added with select cases and scheduler state (cores, src/goroutines/corefacts.c). */
	GPM_VEC(struct gpm_select_case) select_cases; /* see gpm_goroutine_extra.first_case */
	struct gpm_sched_state sched;
	/* Pending runtime timers of every P's heap, by callback (cores): most first. */
	GPM_VEC(struct gpm_timer_count) timers;
	uint64_t timers_total; /* timers read in all */
	bool timers_known;     /* the P's timer heaps were read */
	/* Cores: the newest runtime nanotime the process recorded (a goroutine's wait start,
	 * sched.lastpoll), the nearest a core has to a clock: no later than the snapshot's
	 * instant. 0 unknown. */
	uint64_t core_now;
	/* Text: a log record or message holding the dump was cut inside it (its shipper's line
	 * limit, a paste that stops mid-record): what was read is what is left of a real dump,
	 * however little (a panic line without its goroutines). */
	bool dump_cut;
};

struct gpm_incident *gpm_incident_create(enum gpm_input_kind kind);
void gpm_incident_destroy(struct gpm_incident *inc);

/* Interns into the incident; NULL on out of memory (callers return &gpm_error_nomem). */
const char *gpm_incident_str(struct gpm_incident *inc, const char *s, size_t n);

/*
 * Stack building: begin, push frames, then commit, which deduplicates against stacks
 * already stored and returns the stack index. Frames pushed since begin are discarded
 * when an identical stack exists.
 */
struct gpm_stack_builder {
	uint32_t first;
};
void gpm_incident_stack_begin(struct gpm_incident *inc, struct gpm_stack_builder *b);
/* Returns a zeroed frame to fill, or NULL on out of memory. */
struct gpm_frame *gpm_incident_frame_push(struct gpm_incident *inc);
struct gpm_error *gpm_incident_stack_commit(struct gpm_incident *inc, struct gpm_stack_builder *b,
                                            uint32_t *stack_out);

/* Appends a goroutine initialised to "unknown" values (stack/created_by = UINT32_MAX, no
 * extra). */
struct gpm_goroutine *gpm_incident_goroutine_push(struct gpm_incident *inc);
/*
 * The extra record of g to fill, created with default values on first use; NULL on out of
 * memory. Borrowed until the next call that adds one (the array may move).
 */
struct gpm_goroutine_extra *gpm_incident_goroutine_extra(struct gpm_incident *inc,
                                                         struct gpm_goroutine *g);
/*
 * n zeroed gpm_frame_regs for a goroutine_extra.regs, owned by the incident (freed with it,
 * never by the caller): a million goroutines' registers in a few big blocks instead of a
 * million small allocations. NULL on out of memory.
 */
struct gpm_frame_regs *gpm_incident_regs_alloc(struct gpm_incident *inc, size_t n);
/* Appends a single frame outside any stack (used for "created by"); returns its index. */
struct gpm_error *gpm_incident_lone_frame(struct gpm_incident *inc, const struct gpm_frame *f,
                                          uint32_t *index_out);
struct gpm_error *gpm_incident_label_push(struct gpm_incident *inc, struct gpm_goroutine *g,
                                          const char *key, size_t klen, const char *value,
                                          size_t vlen);
struct gpm_error *gpm_incident_warn(struct gpm_incident *inc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The innermost frame outside the Go runtime (where the program itself was), NULL when
 * every frame is the runtime's. */
const struct gpm_frame *gpm_goroutine_user_frame(const struct gpm_incident *inc,
                                                 const struct gpm_goroutine *g);

/* Whether g is a goroutine of the program: a goroutine id, or one of a profile's records
 * or a tool's buckets (they give no ids). Not an M's g0 ("goroutine 0 [idle]"), which has id 0. */
static inline bool gpm_goroutine_is_real(const struct gpm_goroutine *g)
{
	return g->id || (g->flags & (GPM_GOROUTINE_PPROF_RECORD | GPM_GOROUTINE_NO_HEADER |
	                             GPM_GOROUTINE_NO_ID));
}

/* How findings name g: "goroutine 17", or "a goroutine" when no id was printed for it (a
 * profile's record, a tool's bucket, frames pasted without their header); in buf, which
 * holds GPM_GOROUTINE_NAME_MAX bytes. */
enum { GPM_GOROUTINE_NAME_MAX = 32 };
const char *gpm_goroutine_name(const struct gpm_goroutine *g, char *buf);
/* gpm_goroutine_name in a buffer that lives to the end of the enclosing block. */
#define GPM_GOROUTINE_NAME(g) gpm_goroutine_name((g), (char[GPM_GOROUTINE_NAME_MAX]){0})

/* What every goroutine without an extra record has: nothing known (m_id, thread_id -1). */
extern const struct gpm_goroutine_extra gpm_goroutine_extra_none;

/* The rare facts of g (never NULL; gpm_goroutine_extra_none when it has none). */
static inline const struct gpm_goroutine_extra *gpm_goroutine_extra(const struct gpm_incident *inc,
                                                                    const struct gpm_goroutine *g)
{
	return g->extra < inc->extras.len ? &inc->extras.v[g->extra] : &gpm_goroutine_extra_none;
}

/* Whether the sp and fp of g's frames are known (gpm_goroutine_frame_regs). */
static inline bool gpm_goroutine_has_regs(const struct gpm_incident *inc,
                                          const struct gpm_goroutine *g)
{
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	return x->regs || x->regs_derived;
}

static inline uint64_t gpm_frame_offset_apply(uint64_t sp0, int32_t off)
{
	return off == GPM_FRAME_REGS_ZERO ? 0 : sp0 + (uint64_t)(int64_t)off;
}

/* The sp and fp of frame i (< the frames of g's stack) of g; zero when not known. */
static inline struct gpm_frame_regs
gpm_goroutine_frame_regs(const struct gpm_incident *inc, const struct gpm_goroutine *g, uint32_t i)
{
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	if (x->regs)
		return x->regs[i];
	struct gpm_frame_regs r = {0, 0};
	if (!x->regs_derived || g->stack >= inc->stacks.len)
		return r;
	const struct gpm_stack *s = &inc->stacks.v[g->stack];
	if (s->regs_first == UINT32_MAX || i >= s->nframes)
		return r;
	const struct gpm_frame_offsets *o = &inc->stack_regs.v[s->regs_first + i];
	r.sp = gpm_frame_offset_apply(x->regs_sp0, o->sp);
	r.fp = gpm_frame_offset_apply(x->regs_sp0, o->fp);
	return r;
}

/*
 * Sets the sp and fp of g's n frames (g->stack set, n its frames) from regs (borrowed):
 * most goroutines that share a stack have their frames at the same offsets from the first
 * sp, so the offsets are stored once per stack and g keeps only its first sp; g gets a copy
 * (gpm_incident_regs_alloc) when its frames sit otherwise.
 */
struct gpm_error *gpm_incident_goroutine_set_regs(struct gpm_incident *inc, struct gpm_goroutine *g,
                                                  const struct gpm_frame_regs *regs, size_t n);

static inline const struct gpm_frame *
gpm_goroutine_frames(const struct gpm_incident *inc, const struct gpm_goroutine *g, uint32_t *n)
{
	if (g->stack == UINT32_MAX) {
		*n = 0;
		return NULL;
	}
	const struct gpm_stack *s = &inc->stacks.v[g->stack];
	*n = s->nframes;
	return &inc->frames.v[s->first];
}

/*
 * A walk over the argument texts of a goroutine's own frames, in frame order: either
 * NUL-separated strings in incident->arg_text or, read in place, the frame lines of the
 * dump text (each "func(ARGS)" line followed by its location line).
 */
/* In incident->arg_text of a core, a frame's text may instead be GPM_ARGS_REF and the
 * 4-byte (native order) offset of the same text stored earlier; then its NUL. Texts read
 * from a core never hold the byte. */
enum { GPM_ARGS_REF = 1, GPM_ARGS_REF_SIZE = 5 };
struct gpm_args_iter {
	const char *p, *end;
	bool text;
	const char *base; /* incident->arg_text when it may hold GPM_ARGS_REF (cores), else NULL */
};
/* Starts a walk over g's own argument texts; false when it has none (each frame's args
 * apply). */
bool gpm_goroutine_args_begin(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                              struct gpm_args_iter *it);
/* gpm_args_iter_next at a GPM_ARGS_REF (it->p, with room for it). */
bool gpm_args_iter_ref(struct gpm_args_iter *it, const char **s, size_t *n);
/*
 * The next frame's argument text: *s, *n bytes (not NUL-terminated); false past the end.
 * Inline, as gpm_frame_args_next: the rules walk every frame of every goroutine with them
 * (src/analysis/argwords.c), and the calls were a fifth of that walk.
 */
static inline bool gpm_args_iter_next(struct gpm_args_iter *it, const char **s, size_t *n)
{
	if (it->p >= it->end)
		return false;
	if (it->base && *it->p == GPM_ARGS_REF && it->end - it->p > GPM_ARGS_REF_SIZE)
		return gpm_args_iter_ref(it, s, n);
	const char *e = memchr(it->p, it->text ? '\n' : 0, (size_t)(it->end - it->p));
	if (!e)
		e = it->end;
	if (!it->text) {
		*s = it->p;
		*n = (size_t)(e - it->p);
		it->p = e + 1;
		return true;
	}
	// "func(ARGS)" as the dump parser read it (src/dump/dump.c: read_frames): the text
	// between the last '(' and the final ')'; "(...)" of an inlined frame is no text.
	const char *lp = e - it->p >= 2 ? memrchr(it->p, '(', (size_t)(e - 1 - it->p)) : NULL;
	if (!lp || e[-1] != ')') {
		it->p = it->end;
		return false;
	}
	*s = lp + 1;
	*n = (size_t)(e - 1 - *s);
	if (*n == 3 && memcmp(*s, "...", 3) == 0)
		*n = 0;
	const char *z = *n ? memchr(*s, 0, *n) : NULL; // as copied texts: up to a NUL
	if (z)
		*n = (size_t)(z - *s);
	// Then the location line.
	const char *l = e + 1 < it->end ? memchr(e + 1, '\n', (size_t)(it->end - e - 1)) : NULL;
	it->p = l ? l + 1 : it->end;
	return true;
}

/*
 * A walk over the argument text of every frame of g in frame order: g's own texts while
 * they last, else each frame's args. What `gopm goroutines` prints and the rules read.
 */
struct gpm_frame_args_iter {
	struct gpm_args_iter it;
	const struct gpm_frame *frames;
	uint32_t i, n;
	bool own;
};
void gpm_goroutine_frame_args_begin(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                                    struct gpm_frame_args_iter *it);
/* The next frame's argument text: *s, *n bytes (not NUL-terminated; *s NULL and *n 0 when
 * none is known); false past the last frame. */
static inline bool gpm_frame_args_next(struct gpm_frame_args_iter *it, const char **s, size_t *n)
{
	if (it->i >= it->n)
		return false;
	const struct gpm_frame *f = &it->frames[it->i++];
	if (!it->own || !gpm_args_iter_next(&it->it, s, n)) {
		it->own = false;
		*s = f->args;
		*n = f->args ? strlen(f->args) : 0;
	}
	return true;
}

/*
 * The argument text of frame i of g as printed, *n bytes (not NUL-terminated): g's own when
 * it has them, else the frame's; NULL when none is known. Walks the goroutine's frames:
 * use gpm_goroutine_args_begin to visit all of them.
 */
const char *gpm_goroutine_frame_args(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                                     uint32_t i, size_t *n);

#endif
