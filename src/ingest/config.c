/* Reading the user's config file (see config.h). */
#include "ingest/config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

enum {
	CONFIG_MAX_LINES = 1000, // lines read; the rest is said to be ignored
	CONFIG_MAX_LINE = 4096,  // bytes of one line
};

static struct gpm_ingest_config config;
static bool config_read;

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

static void (*warn_fn)(const char *message);

static void warn(const char *path, unsigned line, const char *what)
{
	if (!warn_fn)
		return;
	char *p = gpm_safe_strndup(path, strlen(path));
	char *m = NULL;
	if (asprintf(&m, "%s:%u: %s", p ? p : "config", line, what) >= 0) {
		warn_fn(m);
		free(m);
	}
	free(p);
}

/* One `key = value` line into config; a warning when it is not one. */
static void config_line(const char *path, unsigned lineno, char *line)
{
	char *s = trim(line);
	if (!*s || *s == '#')
		return;
	char *eq = strchr(s, '=');
	if (!eq) {
		warn(path, lineno, "not a `key = value` line: ignored");
		return;
	}
	*eq = 0;
	char *key = trim(s), *value = trim(eq + 1);
	static const struct {
		const char *key;
		size_t offset;
	} keys[] = {
	    {"exe-path", offsetof(struct gpm_ingest_config, exe_path)},
	    {"debug-root", offsetof(struct gpm_ingest_config, debug_root)},
	    {"source-root", offsetof(struct gpm_ingest_config, source_root)},
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(key, keys[i].key) != 0)
			continue;
		char **slot = (char **)(void *)((char *)&config + keys[i].offset);
		free(*slot);
		*slot = strdup(value);
		return;
	}
	char *k = gpm_safe_strndup(key, strlen(key));
	char what[256];
	snprintf(what, sizeof(what),
	         "unknown key \"%.64s\" (known: exe-path, debug-root, source-root): ignored",
	         k ? k : "?");
	free(k);
	warn(path, lineno, what);
}

static void config_load(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *path = NULL;
	if (xdg && *xdg) {
		if (asprintf(&path, "%s/gopm/config", xdg) < 0)
			path = NULL;
	} else if (home && *home) {
		if (asprintf(&path, "%s/.config/gopm/config", home) < 0)
			path = NULL;
	}
	FILE *f = path ? fopen(path, "re") : NULL;
	if (!f) {
		free(path);
		return; // no config file: nothing to say
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (++lineno > CONFIG_MAX_LINES) {
			warn(path, lineno, "more than 1000 lines: the rest is ignored");
			break;
		}
		if (n > CONFIG_MAX_LINE)
			warn(path, lineno, "line longer than 4096 bytes: ignored");
		else if (memchr(line, 0, (size_t)n))
			warn(path, lineno, "NUL byte in the line: ignored");
		else
			config_line(path, lineno, line);
	}
	free(line);
	fclose(f);
	free(path);
}

const struct gpm_ingest_config *gpm_ingest_config(void (*on_warning)(const char *message))
{
	if (!config_read) {
		config_read = true;
		warn_fn = on_warning;
		config_load();
		warn_fn = NULL;
	}
	return &config;
}
