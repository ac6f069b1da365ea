/* SPDX-License-Identifier: MIT */
/* A few macros for the host unit tests: count, report, never stop early. */
#ifndef XYZ_HARNESS_H
#define XYZ_HARNESS_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

extern unsigned int t_passed, t_failed;

#define CHECK(cond) do {						\
	if (cond) {							\
		t_passed++;						\
	} else {							\
		t_failed++;						\
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
	}								\
} while (0)

#define CHECK_INT(got, want) do {					\
	long long g_ = (got), w_ = (want);				\
	if (g_ == w_) {							\
		t_passed++;						\
	} else {							\
		t_failed++;						\
		printf("FAIL %s:%d: %s is %lld, want %lld\n",		\
		       __FILE__, __LINE__, #got, g_, w_);		\
	}								\
} while (0)

/* @expr fails with -1 and @err. */
#define CHECK_ERR(expr, err) do {					\
	int r_, e_;							\
	errno = 0;							\
	r_ = (expr);							\
	e_ = errno;							\
	if (r_ == -1 && e_ == (err)) {					\
		t_passed++;						\
	} else {							\
		t_failed++;						\
		printf("FAIL %s:%d: %s gave %d (%s), want -1 (%s)\n",	\
		       __FILE__, __LINE__, #expr, r_, strerror(e_),	\
		       strerror(err));					\
	}								\
} while (0)

#define CHECK_STR_HAS(s, sub) do {					\
	const char *s_ = (s);						\
	if (s_ && strstr(s_, (sub))) {					\
		t_passed++;						\
	} else {							\
		t_failed++;						\
		printf("FAIL %s:%d: %s is \"%s\", want \"%s\" in it\n",	\
		       __FILE__, __LINE__, #s, s_ ? s_ : "(null)", (sub)); \
	}								\
} while (0)

/* The suites, one file each. */
void test_sysfs(void);
void test_args(void);
void test_hint(void);
void test_names(void);
void test_bounce(void);

#endif /* XYZ_HARNESS_H */
