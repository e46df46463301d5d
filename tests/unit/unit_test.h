// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What every cmocka unit test of tests/unit shares: includes, assertions
 * on messages, small helpers.
 */
#ifndef MN_UNIT_TEST_H
#define MN_UNIT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define UNUSED __attribute__((unused))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Big enough for every message the helpers write. */
#define ERRLEN 512

#define assert_contains(haystack, needle)                                     \
	do {                                                                  \
		const char *h_ = (haystack), *n_ = (needle);                  \
		if (!strstr(h_, n_))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);   \
	} while (0)

#define assert_starts_with(s, prefix)                                         \
	do {                                                                  \
		const char *s_ = (s), *p_ = (prefix);                         \
		if (strncmp(s_, p_, strlen(p_)) != 0)                         \
			fail_msg("\"%s\" does not start with \"%s\"", s_, p_);\
	} while (0)

/* A string of n copies of c (n < sizeof(buf)). */
static inline char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/*
 * cmocka writes progress to stdout and verdicts to stderr; both go to one
 * log file under "make check", where a buffered stdout would put every
 * verdict before the tests it belongs to.
 */
static inline void unit_test_unbuffered(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
}

#endif /* MN_UNIT_TEST_H */
