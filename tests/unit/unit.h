/*
 * unit.h - a tiny TAP harness for the C unit tests of lib/.
 *
 * Each test is a function; UNIT_RUN(fn) runs it and prints one TAP line,
 * "ok N - fn" or "not ok N - fn" with the failed checks as diagnostics.
 * UNIT_DONE() prints the plan and returns the exit status for main().
 * meson runs these programs with protocol 'tap'.
 */
#ifndef PF_UNIT_H
#define PF_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_count, unit_failed, unit_check_failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: CHECK(%s) failed\n",			\
		    __FILE__, __LINE__, #cond);				\
		unit_check_failed = 1;					\
	}								\
} while (0)

/* Compares a (ptr, len) byte string with a C string, showing both. */
#define CHECK_BYTES(ptr, len, want) do {				\
	const char *unit_w_ = (want);					\
	size_t unit_l_ = (len);						\
	if (unit_l_ != strlen(unit_w_) ||				\
	    memcmp((ptr), unit_w_, unit_l_) != 0) {			\
		printf("# %s:%d: got \"%.*s\", want \"%s\"\n",		\
		    __FILE__, __LINE__, (int)unit_l_,			\
		    (const char *)(ptr), unit_w_);			\
		unit_check_failed = 1;					\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *unit_g_ = (got);					\
	CHECK_BYTES(unit_g_, strlen(unit_g_), (want));			\
} while (0)

#define UNIT_RUN(fn) do {						\
	unit_check_failed = 0;						\
	fn();								\
	unit_count++;							\
	if (unit_check_failed)						\
		unit_failed++;						\
	printf("%sok %d - %s\n", unit_check_failed ? "not " : "",	\
	    unit_count, #fn);						\
} while (0)

#define UNIT_DONE() (printf("1..%d\n", unit_count), unit_failed ? 1 : 0)

#endif
