// SPDX-License-Identifier: MIT
/*
 * The smallest libxyz program: a NOP through each door, and why not; INFO
 * through the shared page, which answers nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xyz.h>

int main(void)
{
	int via, ok = 0;

	for (via = 0; via < XYZ_VIA_COUNT; via++) {
		struct xyz_info info;
		int ret, err;
		const char *hint;

		if (!xyz_via_name(via))
			continue;	/* unknown to this libxyz */
		/* the shared page answers INFO only */
		ret = via == XYZ_VIA_MMAP ? xyz_info(via, &info) : xyz_nop(via);
		err = errno;
		hint = ret < 0 ? xyz_hint(via, err) : NULL;
		printf("%-8s %s%s%s\n", xyz_via_name(via),
		       ret < 0 ? strerror(err) : "ok", hint ? ": " : "",
		       hint ? hint : "");
		ok += ret >= 0;
	}
	return ok ? 0 : 1;
}
