/*
 * Whose code a frame is: the Go runtime, the standard library, a dependency or the main
 * module. The one answer to "is this a runtime frame" for findings, signatures, grouping
 * and the TUI. Decided from the function name alone (a text dump has nothing else): the
 * package path is the name up to the first '.' after the last '/'; a path whose first
 * element is one of the standard library's ("sync", "net", "internal"...) is the standard
 * library, any other is the program's (a module path with a dot, a GOPATH-era "app/x", a
 * package panicparse names by its directory); the main module is "main" or the incident's
 * main_module prefix when it is known.
 */
#ifndef GPM_MODEL_FRAMECLASS_H
#define GPM_MODEL_FRAMECLASS_H

#include <stddef.h>

enum gpm_frame_class {
	GPM_FRAME_CLASS_RUNTIME,    /* runtime, runtime/..., internal/runtime/..., panic, goexit */
	GPM_FRAME_CLASS_STDLIB,     /* the rest of the standard library (sync, net/http...) */
	GPM_FRAME_CLASS_DEPENDENCY, /* a module path (github.com/x/y, google.golang.org/grpc) */
	GPM_FRAME_CLASS_MAIN,       /* package main or the main module */
};

/* Classifies a function name as the runtime prints it; main_module may be NULL. NULL
 * names are the runtime's (unknown pc). */
enum gpm_frame_class gpm_frame_classify(const char *func, const char *main_module);

/* Length of the package path of func ("net/http" of "net/http.(*conn).serve"), 0 when it
 * has none. */
size_t gpm_frame_package_len(const char *func);

/*
 * Whether func is a frame whose presence depends on the Go version, the GOTRACEBACK level
 * or whether the stack came from a core or from text, not on the program: the runtime
 * (GPM_FRAME_CLASS_RUNTIME, which includes the `panic` frame GOTRACEBACK=single/all print
 * for runtime.gopanic, sigpanic and goexit), every internal/... package (internal/poll,
 * internal/sync since Go 1.24, internal/runtime/maps since 1.24) and the standard
 * library's hooks into the runtime (sync.runtime_Semacquire, sync.runtime_notifyListWait).
 * Signatures drop these frames (doc/signatures.md).
 */
int gpm_frame_is_runtime_detail(const char *func);

/*
 * The sync method a frame waits in, for the lock and wait rules (contention.mutex,
 * deadlock.stuck-lock, deadlock.stuck-wait): the one list of those frames. The mutex kinds
 * are sync.Mutex's Lock and lockSlow (internal/sync's from Go 1.24, which sync.Mutex
 * wraps); an RWMutex's Lock (which waits in its inner Mutex, then for the readers) and
 * RLock (rLock, inlined in Go 1.24+) are their own.
 */
enum gpm_sync_wait {
	GPM_SYNC_NONE = 0,
	GPM_SYNC_MUTEX_LOCK, /* sync.(*Mutex).Lock, internal/sync.(*Mutex).Lock */
	GPM_SYNC_MUTEX_SLOW, /* their lockSlow */
	GPM_SYNC_RW_LOCK,    /* sync.(*RWMutex).Lock */
	GPM_SYNC_RW_RLOCK,   /* sync.(*RWMutex).RLock, rLock */
	GPM_SYNC_WAITGROUP,  /* sync.(*WaitGroup).Wait */
	GPM_SYNC_COND,       /* sync.(*Cond).Wait */
};

/* Which sync method func is (GPM_SYNC_NONE: none, or NULL). */
enum gpm_sync_wait gpm_frame_sync_wait(const char *func);

/* Whether w is a wait to lock (a Mutex, or an RWMutex to write or to read). */
static inline int gpm_sync_wait_is_lock(enum gpm_sync_wait w)
{
	return w >= GPM_SYNC_MUTEX_LOCK && w <= GPM_SYNC_RW_RLOCK;
}

/* Whether w is a frame of a sync.Mutex's Lock (an RWMutex's Lock waits in one too). */
static inline int gpm_sync_wait_is_mutex(enum gpm_sync_wait w)
{
	return w == GPM_SYNC_MUTEX_LOCK || w == GPM_SYNC_MUTEX_SLOW;
}

/* Whether the class is the program's own code (main module or a dependency). */
static inline int gpm_frame_class_is_user(enum gpm_frame_class c)
{
	return c == GPM_FRAME_CLASS_DEPENDENCY || c == GPM_FRAME_CLASS_MAIN;
}

#endif
