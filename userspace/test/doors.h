/* SPDX-License-Identifier: MIT */
/* The VM test of every door: cases in doors_cases.c, runner in doors.c. */
#ifndef XYZ_DOORS_H
#define XYZ_DOORS_H

#include <stdio.h>
#include <xyz.h>

enum { PASS, FAIL, SKIP };

struct ctx {
	enum xyz_via		via;
	struct xyz_module	mod;
	char			why[256];	/* reason for FAIL or SKIP */
};

struct door_case {
	const char	*desc;
	int		(*run)(struct ctx *c);
};

extern const struct door_case door_cases[];
/* The uring door only: 64 calls with one io_uring_enter(). */
int door_batch_case(struct ctx *c);
extern const unsigned int n_door_cases;
/* XYZ_VIA_MMAP answers INFO only: its own cases (doors_mmap.c). */
extern const struct door_case mmap_cases[];
extern const unsigned int n_mmap_cases;

/* Set c->why and return @res. */
int verdict(struct ctx *c, int res, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* XYZ_DOORS_H */
