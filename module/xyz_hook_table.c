// SPDX-License-Identifier: GPL-2.0
/*
 * hook=table: the classic swap of a sys_call_table entry. Since the Branch
 * History Injection fix (6.9, backported to every stable kernel from 5.10),
 * x86-64 dispatches through x64_sys_call(), a switch, and the table is only
 * read by tracing: a swapped entry would route nothing. Rather than load as
 * a silent no-op, this backend refuses and says why.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>

#include "xyz_internal.h"

int xyz_table_attach(enum xyz_abi abi, int nr)
{
	const char *dispatch = xyz_abis[abi].dispatch;

	if (xyz_function_site(dispatch)) {
		pr_err("hook=table: this kernel dispatches system calls through %s(), a switch, not through the table: a swapped entry would route nothing; use hook=direct, ftrace or kprobe\n",
		       dispatch);
		return -EOPNOTSUPP;
	}
	/*
	 * Older kernels did call through the table, but their table is
	 * read-only and CR0.WP is pinned: no supported way writes it.
	 */
	pr_err("hook=table: %s() is absent, but writing the read-only table is not supported; use hook=ftrace or kprobe\n",
	       dispatch);
	return -EOPNOTSUPP;
}

void xyz_table_detach(enum xyz_abi abi)
{
}
