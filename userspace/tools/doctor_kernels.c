// SPDX-License-Identifier: MIT
/*
 * The kernel lines the project tests (scripts/kernel-matrix runs every test
 * on the newest release of each), as xyz doctor names them. A kernel of
 * another line may well work: doctor says it is untested, not that it is
 * wrong. The patterns are the matrix's own, anchored (scripts/test-lib.sh
 * checks that they are the same).
 */
#include "doctor.h"

const struct dr_tested dr_tested[] = {
	{ "x86_64",  "^5\\.10\\.0-[0-9]+-amd64$",
	  "Debian 11's 5.10 (bullseye-security)" },
	{ "x86_64",  "^6\\.1\\.0-[0-9]+-amd64$", "Debian 12's 6.1" },
	{ "x86_64",  "^6\\.12\\.[0-9]+\\+deb12-amd64$", "Debian 12's 6.12" },
	{ "x86_64",  "^6\\.12\\.[0-9]+\\+deb13-amd64$", "Debian 13's 6.12" },
	{ "x86_64",  "^[0-9]+\\.[0-9]+\\.[0-9]+\\+deb[0-9]+-amd64$",
	  "sid's newest" },
	{ "aarch64", "^6\\.12\\.[0-9]+\\+deb13-arm64$", "Debian 13's 6.12 (arm64)" },
};

const size_t dr_ntested = sizeof(dr_tested) / sizeof(dr_tested[0]);
