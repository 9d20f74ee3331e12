/* Frame classification by package path (see frameclass.h). */
#include "model/frameclass.h"

#include <string.h>

size_t gpm_frame_package_len(const char *func)
{
	if (!func)
		return 0;
	// Generic type arguments may hold '/' and '.': look only before the first '['.
	size_t end = strcspn(func, "[");
	const char *slash = NULL;
	for (const char *p = func; p < func + end; p++)
		if (*p == '/')
			slash = p;
	const char *from = slash ? slash + 1 : func;
	const char *dot = memchr(from, '.', (size_t)(func + end - from));
	return dot ? (size_t)(dot - func) : 0;
}

static int has_prefix(const char *s, size_t n, const char *p)
{
	size_t pn = strlen(p);
	return n >= pn && !memcmp(s, p, pn) && (n == pn || s[pn] == '/');
}

/* The first elements of the standard library's import paths (Go 1.17 to 1.27), sorted;
 * "type" for the compiler's generated functions ("type..eq.T", "type:.hash.T"), "vendor"
 * for its vendored copies. A first element without a dot that is none of these is the
 * program's own: a GOPATH-era package ("app/server"), or a package panicparse names by its
 * directory ("store"). */
static const char *const std_roots[] = {
    "archive",   "arena",   "bufio",   "builtin",  "bytes",  "cmd",     "cmp",      "compress",
    "container", "context", "crypto",  "database", "debug",  "embed",   "encoding", "errors",
    "expvar",    "flag",    "fmt",     "go",       "hash",   "html",    "image",    "index",
    "internal",  "io",      "iter",    "log",      "maps",   "math",    "mime",     "net",
    "os",        "path",    "plugin",  "reflect",  "regexp", "runtime", "simd",     "slices",
    "sort",      "strconv", "strings", "structs",  "sync",   "syscall", "testing",  "text",
    "time",      "type",    "unicode", "unique",   "unsafe", "vendor",  "weak",
};

static int std_root(const char *s, size_t n)
{
	size_t lo = 0, hi = sizeof(std_roots) / sizeof(std_roots[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(std_roots[mid], s, n);
		if (!c && std_roots[mid][n])
			c = 1;
		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

enum gpm_frame_class gpm_frame_classify(const char *func, const char *main_module)
{
	if (!func || !strcmp(func, "panic") || !strncmp(func, "runtime.", 8) ||
	    !strncmp(func, "runtime/", 8) || !strncmp(func, "internal/runtime/", 17))
		return GPM_FRAME_CLASS_RUNTIME;
	size_t n = gpm_frame_package_len(func);
	if (!n)
		return GPM_FRAME_CLASS_RUNTIME; // "goexit", "?" and other names without a package
	// "_/home/u/app/pkg": the import path Go gave a package outside GOPATH (go build of a
	// directory before modules): the program's own, never the standard library.
	if (has_prefix(func, n, "main") || has_prefix(func, n, "command-line-arguments") ||
	    !strncmp(func, "_/", 2))
		return GPM_FRAME_CLASS_MAIN;
	if (main_module && *main_module && has_prefix(func, n, main_module))
		return GPM_FRAME_CLASS_MAIN;
	size_t first = strcspn(func, "/.");
	if (first < n && func[first] == '.')
		return GPM_FRAME_CLASS_DEPENDENCY; // the first path element has a dot: a module
	if (!strncmp(func, "type:", 5))            // "type:.eq.main.T" (Go 1.21+)
		return GPM_FRAME_CLASS_STDLIB;
	// "sync", "net/http", "internal/poll" ("golang.org/x/..." is the dot case above).
	return std_root(func, first < n ? first : n) ? GPM_FRAME_CLASS_STDLIB
	                                             : GPM_FRAME_CLASS_DEPENDENCY;
}

int gpm_frame_is_runtime_detail(const char *func)
{
	if (!func || !*func || gpm_frame_classify(func, NULL) == GPM_FRAME_CLASS_RUNTIME)
		return 1;
	return !strncmp(func, "internal/", 9) || !strncmp(func, "sync.runtime_", 13) ||
	       !strncmp(func, "sync.runtime.", 13);
}

enum gpm_sync_wait gpm_frame_sync_wait(const char *func)
{
	static const struct {
		const char *name;
		enum gpm_sync_wait w;
	} t[] = {
	    {"sync.(*Mutex).Lock", GPM_SYNC_MUTEX_LOCK},
	    {"sync.(*Mutex).lockSlow", GPM_SYNC_MUTEX_SLOW},
	    {"internal/sync.(*Mutex).Lock", GPM_SYNC_MUTEX_LOCK},
	    {"internal/sync.(*Mutex).lockSlow", GPM_SYNC_MUTEX_SLOW},
	    {"sync.(*RWMutex).Lock", GPM_SYNC_RW_LOCK},
	    {"sync.(*RWMutex).RLock", GPM_SYNC_RW_RLOCK},
	    {"sync.(*RWMutex).rLock", GPM_SYNC_RW_RLOCK},
	    {"sync.(*WaitGroup).Wait", GPM_SYNC_WAITGROUP},
	    {"sync.(*Cond).Wait", GPM_SYNC_COND},
	};
	// Every name starts "sync." or "internal/sync.": one test rejects the rest.
	if (!func || (strncmp(func, "sync.(*", 7) && strncmp(func, "internal/sync.(*", 16)))
		return GPM_SYNC_NONE;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(func, t[i].name))
			return t[i].w;
	return GPM_SYNC_NONE;
}
