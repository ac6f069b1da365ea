// SPDX-License-Identifier: MIT
/* The smallest libxyz program: a NOP through each door, and why not. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xyz.h>

int main(void)
{
	int via, ok = 0;

	for (via = 0; via < XYZ_VIA_COUNT; via++) {
		int ret, err;
		const char *hint;

		if (!xyz_via_name(via))
			continue;	/* unknown to this libxyz */
		ret = xyz_nop(via);
		err = errno;
		hint = ret ? xyz_hint(via, err) : NULL;
		printf("%-8s %s%s%s\n", xyz_via_name(via),
		       ret ? strerror(err) : "ok", hint ? ": " : "",
		       hint ? hint : "");
		ok += !ret;
	}
	return ok ? 0 : 1;
}
