/*
 * json-valid FILE: exits 0 when FILE holds exactly one JSON value (RFC 8259: objects,
 * arrays, strings with their escapes, numbers, true/false/null, whitespace), 1 otherwise
 * with the offset of the first error. The CLI tests use it instead of a scripting language
 * to check that --json output parses.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct p {
	const unsigned char *s;
	size_t n, i;
};

enum { MAX_DEPTH = 512 };

static void ws(struct p *p)
{
	while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]))
		p->i++;
}

static bool lit(struct p *p, const char *w)
{
	size_t l = strlen(w);
	if (p->n - p->i < l || memcmp(p->s + p->i, w, l))
		return false;
	p->i += l;
	return true;
}

static bool digits(struct p *p)
{
	size_t st = p->i;
	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > st;
}

static bool number(struct p *p)
{
	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i < p->n && p->s[p->i] == '0')
		p->i++;
	else if (!digits(p))
		return false;
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (!digits(p))
			return false;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (!digits(p))
			return false;
	}
	return true;
}

static bool string(struct p *p)
{
	if (p->i >= p->n || p->s[p->i] != '"')
		return false;
	for (p->i++; p->i < p->n; p->i++) {
		unsigned char c = p->s[p->i];
		if (c == '"') {
			p->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (++p->i >= p->n)
				return false;
			c = p->s[p->i];
			if (c == 'u') {
				for (int k = 0; k < 4; k++)
					if (++p->i >= p->n ||
					    !strchr("0123456789abcdefABCDEF", p->s[p->i]) ||
					    !p->s[p->i])
						return false;
			} else if (!strchr("\"\\/bfnrt", c) || !c) {
				return false;
			}
		}
	}
	return false;
}

static bool value(struct p *p, int depth)
{
	if (depth > MAX_DEPTH)
		return false;
	ws(p);
	if (p->i >= p->n)
		return false;
	unsigned char c = p->s[p->i];
	if (c == '{' || c == '[') {
		unsigned char close = c == '{' ? '}' : ']';
		p->i++;
		ws(p);
		if (p->i < p->n && p->s[p->i] == close) {
			p->i++;
			return true;
		}
		for (;;) {
			if (c == '{') {
				ws(p);
				if (!string(p))
					return false;
				ws(p);
				if (p->i >= p->n || p->s[p->i++] != ':')
					return false;
			}
			if (!value(p, depth + 1))
				return false;
			ws(p);
			if (p->i >= p->n)
				return false;
			if (p->s[p->i] == close) {
				p->i++;
				return true;
			}
			if (p->s[p->i++] != ',')
				return false;
		}
	}
	if (c == '"')
		return string(p);
	if (c == 't')
		return lit(p, "true");
	if (c == 'f')
		return lit(p, "false");
	if (c == 'n')
		return lit(p, "null");
	return number(p);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: json-valid FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			unsigned char *b = realloc(buf, cap *= 2);
			if (!b) {
				free(buf);
				buf = NULL;
			}
			buf = b;
		}
	}
	fclose(f);
	if (!buf) {
		fprintf(stderr, "json-valid: out of memory\n");
		return 2;
	}
	struct p p = {buf, n, 0};
	bool ok = value(&p, 0);
	ws(&p);
	if (!ok || p.i != p.n) {
		fprintf(stderr, "json-valid: %s: not JSON at byte %zu\n", argv[1], p.i);
		free(buf);
		return 1;
	}
	free(buf);
	return 0;
}
