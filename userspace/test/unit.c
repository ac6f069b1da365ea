// SPDX-License-Identifier: MIT
/*
 * Host unit tests of libxyz: no module needed, nothing enters sys_xyz.
 * Discovery runs against a fake sysfs in a temporary directory; the doors
 * are only called where the library must refuse before any trap.
 */
#include <stdio.h>

#include "harness.h"

unsigned int t_passed, t_failed;

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_names();
	test_args();
	test_sysfs();
	test_hint();
	test_bounce();
	printf("%u passed, %u failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}
