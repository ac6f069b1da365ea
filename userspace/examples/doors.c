// SPDX-License-Identifier: MIT
/*
 * The smallest libxyz program: a NOP through each door that can be tried,
 * and why not; INFO through the shared page, which answers nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xyz.h>

/* What failed, and what to do about it when libxyz knows. */
static void why(enum xyz_via via, const char *what, int err)
{
	const char *hint = xyz_hint(via, err);

	printf("%-8s %s: %s%s%s\n", xyz_via_name(via), what, strerror(err),
	       hint ? ": " : "", hint ? hint : "");
}

int main(void)
{
	int via, ok = 0;

	for (via = 0; via < XYZ_VIA_COUNT; via++) {
		struct xyz_info info;
		int ret;

		if (!xyz_via_name(via))
			continue;	/* unknown to this libxyz */
		if (!xyz_door_usable(via)) {
			why(via, "not usable", errno);
			continue;
		}
		/* the shared page answers INFO only */
		ret = via == XYZ_VIA_MMAP ? xyz_info(via, &info) : xyz_nop(via);
		if (ret < 0) {
			why(via, "failed", errno);
			continue;
		}
		printf("%-8s ok\n", xyz_via_name(via));
		ok++;
	}
	return ok ? 0 : 1;
}
