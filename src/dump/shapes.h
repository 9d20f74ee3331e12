/*
 * Shapes of the runtime's lines that both the unwrapper (unwrap.c, which must recognise a
 * goroutine header before it knows the paste's form) and the parser (dump.c) test.
 */
#ifndef GPM_DUMP_SHAPES_H
#define GPM_DUMP_SHAPES_H

#include <stddef.h>

/*
 * Length of an id a person wrote in place of the number ("NNNNN", "XXX", "?", "..." in
 * "goroutine NNNNN [chan send]:" of a hand-shortened stack) at s, before " ["; 0 when none.
 */
static inline size_t gpm_dump_placeholder_id(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i <= 12 &&
	       ((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '?' || s[i] == '.' || s[i] == '#' ||
	        s[i] == '*' || s[i] == '_' || s[i] == 'x'))
		i++;
	return i && i <= 12 && i + 2 < n && s[i] == ' ' && s[i + 1] == '[' ? i : 0;
}

#endif
