/*
 * Drawing text from the archive safely, colours, and the screen as text for tests.
 *
 * Everything a dump controls (function names, panic messages, labels, paths) reaches the
 * terminal only through tui_draw_text: it decodes UTF-8 itself and never passes a control
 * character (C0, DEL, C1) to ncurses, so no byte of a dump can start an escape sequence.
 * Colours use the terminal's default background (use_default_colors) so they read on dark
 * and light themes; NO_COLOR leaves only bold, reverse and underline.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/strbuf.h"
#include "tui/tui.h"

bool tui_utf8 = true;
static attr_t attrs[TUI_C__COUNT];

void tui_colors_init(bool color)
{
	attrs[TUI_C_NORMAL] = A_NORMAL;
	attrs[TUI_C_TITLE] = A_REVERSE | A_BOLD;
	attrs[TUI_C_HEADER] = A_BOLD | A_UNDERLINE;
	attrs[TUI_C_CURSOR] = A_REVERSE;
	attrs[TUI_C_CURSOR_DIM] = A_UNDERLINE;
	attrs[TUI_C_STATUS] = A_REVERSE;
	attrs[TUI_C_ERROR] = A_BOLD;
	attrs[TUI_C_CRITICAL] = A_BOLD;
	attrs[TUI_C_WARNING] = A_BOLD;
	attrs[TUI_C_INFO] = A_NORMAL;
	attrs[TUI_C_DIM] = A_DIM;
	attrs[TUI_C_HIGHLIGHT] = A_BOLD | A_UNDERLINE;
	attrs[TUI_C_BOLD] = A_BOLD;
	if (!color || !has_colors() || start_color() == ERR)
		return;
	// Foregrounds only, on the default background: red, magenta, blue and cyan read on
	// both dark and light themes; yellow and white do not, so they are not used.
	use_default_colors();
	init_pair(1, COLOR_BLUE, -1);
	init_pair(2, COLOR_RED, -1);
	init_pair(3, COLOR_MAGENTA, -1);
	init_pair(4, COLOR_CYAN, -1);
	init_pair(5, COLOR_GREEN, -1);
	attrs[TUI_C_TITLE] = A_REVERSE | A_BOLD | COLOR_PAIR(1);
	attrs[TUI_C_ERROR] = A_BOLD | COLOR_PAIR(2);
	attrs[TUI_C_CRITICAL] = A_BOLD | COLOR_PAIR(2);
	attrs[TUI_C_WARNING] = A_BOLD | COLOR_PAIR(3);
	attrs[TUI_C_INFO] = COLOR_PAIR(4);
	attrs[TUI_C_HIGHLIGHT] = A_BOLD | COLOR_PAIR(5);
}

attr_t tui_attr(enum tui_color c)
{
	return attrs[c];
}

// Decodes one UTF-8 character at s (n bytes left); returns its length (>= 1) and the
// code point, or U+FFFD for a malformed, overlong or surrogate sequence (length 1).
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (len > n) {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = v;
	return len;
}

// The character to show for cp, and its width (0 = skip).
static uint32_t visible(uint32_t cp, int *width)
{
	if (cp == '\t' || cp == '\n' || cp == '\r')
		cp = ' ';
	else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		cp = '?';
	if (cp >= 0x80 && !tui_utf8)
		cp = '?';
	int w = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
	if (w < 0) {
		cp = tui_utf8 ? 0xfffd : '?';
		w = 1;
	}
	*width = w;
	return cp;
}

int tui_text_width(const char *s)
{
	int total = 0;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int w;
		i += decode((const unsigned char *)s + i, n - i, &cp);
		visible(cp, &w);
		total += w;
	}
	return total;
}

size_t tui_text_fit(const char *s, int width)
{
	int total = 0;
	size_t n = strlen(s), i = 0;
	while (i < n) {
		uint32_t cp;
		int w;
		size_t len = decode((const unsigned char *)s + i, n - i, &cp);
		visible(cp, &w);
		if (total + w > width)
			break;
		total += w;
		i += len;
	}
	return i;
}

static void put(WINDOW *win, int y, int x, uint32_t cp, attr_t attr)
{
	wchar_t wc[2] = {(wchar_t)cp, 0};
	cchar_t cc;
	setcchar(&cc, wc, attr, (short)PAIR_NUMBER(attr), NULL);
	mvwadd_wch(win, y, x, &cc);
}

int tui_draw_text(WINDOW *win, int y, int x, int width, const char *s, attr_t attr, unsigned flags)
{
	if (width <= 0)
		return 0;
	if (!s)
		s = "";
	int total = tui_text_width(s);
	int used = 0;
	if ((flags & TUI_TEXT_RIGHT) && total < width) {
		for (; used < width - total; used++)
			put(win, y, x + used, ' ', attr);
	}
	bool cut = total > width;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int w;
		i += decode((const unsigned char *)s + i, n - i, &cp);
		cp = visible(cp, &w);
		if (!w)
			continue;
		if (used + w > width - (cut ? 1 : 0))
			break;
		put(win, y, x + used, cp, attr);
		used += w;
	}
	if (cut) {
		put(win, y, x + used, tui_utf8 ? 0x2026 : '~', attr);
		used++;
	}
	if (flags & TUI_TEXT_PAD)
		for (; used < width; used++)
			put(win, y, x + used, ' ', attr);
	return used;
}

static void utf8_put(struct gpm_strbuf *sb, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	gpm_strbuf_append(sb, b, n);
}

char *tui_screen_text(WINDOW *win)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	int rows = getmaxy(win), cols = getmaxx(win);
	for (int y = 0; y < rows; y++) {
		size_t start = sb.len;
		for (int x = 0; x < cols; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1] = {0};
			attr_t a;
			short pair;
			if (mvwin_wch(win, y, x, &cc) == ERR ||
			    getcchar(&cc, wc, &a, &pair, NULL) == ERR)
				continue;
			// The second cell of a wide character repeats nothing.
			for (int i = 0; i < CCHARW_MAX && wc[i]; i++)
				utf8_put(&sb, (uint32_t)wc[i]);
			if (!wc[0])
				continue;
			int w = wcwidth(wc[0]);
			if (w > 1)
				x += w - 1;
		}
		while (sb.len > start && sb.buf[sb.len - 1] == ' ')
			sb.len--;
		gpm_strbuf_putc(&sb, '\n');
	}
	if (gpm_strbuf_error(&sb)) {
		gpm_strbuf_deinit(&sb);
		return NULL;
	}
	char *out = strdup(gpm_strbuf_str(&sb));
	gpm_strbuf_deinit(&sb);
	return out;
}
