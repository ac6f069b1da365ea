// SPDX-License-Identifier: GPL-2.0
/*
 * hook=table on arm64: find sys_call_table as data.
 *
 * invoke_syscall() calls sys_call_table[nr] on every arm64 kernel, and
 * do_el0_svc() hands it the table's address, which an AArch64 function can
 * only form in two instructions: "adrp xd, table" (the 4 KiB page, relative
 * to the pc) and "add xd, xd, #:lo12:table". A disabled kprobe gives
 * do_el0_svc()'s address as data (xyz_function_site()); its code is read as
 * data too, every adrp/add pair decoded, and only an address that the
 * kernel's own symbol table names exactly sys_call_table is taken. Nothing
 * found this way is ever called.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/uaccess.h>
#include <linux/sizes.h>
#include <asm/byteorder.h>

#include "xyz_internal.h"

/* How far into a function we look, at most, in instructions. */
#define XYZ_SCAN_INSNS	128
/* How far after an adrp its add may come. */
#define XYZ_ADD_WINDOW	8

/* ADRP xd, label: 1 immlo:2 10000 immhi:19 Rd:5 */
static bool xyz_insn_adrp(u32 insn, unsigned long pc, unsigned long *page,
			  unsigned int *rd)
{
	s64 imm;

	if ((insn & 0x9f000000) != 0x90000000)
		return false;
	imm = ((insn >> 5) & 0x7ffff) << 2 | ((insn >> 29) & 0x3);
	imm = sign_extend64(imm, 20) * SZ_4K;
	*page = (pc & ~(unsigned long)(SZ_4K - 1)) + imm;
	*rd = insn & 0x1f;
	return true;
}

/* ADD xd, xn, #imm12 (64-bit, unshifted): 1001000100 imm12 Rn Rd */
static bool xyz_insn_add_lo12(u32 insn, unsigned int rn, unsigned long *imm)
{
	if ((insn & 0xffc00000) != 0x91000000 || ((insn >> 5) & 0x1f) != rn)
		return false;
	*imm = (insn >> 10) & 0xfff;
	return true;
}

/* The first address that @func forms with adrp+add and that is @name. */
static unsigned long xyz_find_adrp_add(unsigned long func, const char *name)
{
	static __le32 code[XYZ_SCAN_INSNS];
	unsigned long size, page, lo12, addr;
	unsigned int i, j, n, rd;

	if (!xyz_symbol_is(func, "do_el0_svc", &size))
		return 0;
	n = min_t(unsigned long, size / 4, XYZ_SCAN_INSNS);
	if (copy_from_kernel_nofault(code, (const void *)func, n * 4))
		return 0;
	for (i = 0; i < n; i++) {
		/* instructions are little-endian whatever the data are */
		if (!xyz_insn_adrp(le32_to_cpu(code[i]), func + i * 4, &page,
				   &rd))
			continue;
		for (j = i + 1; j < n && j <= i + XYZ_ADD_WINDOW; j++) {
			if (!xyz_insn_add_lo12(le32_to_cpu(code[j]), rd, &lo12))
				continue;
			addr = page + lo12;
			if (xyz_symbol_is(addr, name, NULL))
				return addr;
		}
	}
	return 0;
}

int xyz_arch_find_table(enum xyz_abi abi, unsigned long *table)
{
	unsigned long func = xyz_function_site("do_el0_svc");

	if (abi != XYZ_ABI_NATIVE)
		return -EOPNOTSUPP;	/* never asked: no compat door */
	if (!func) {
		pr_err("hook=table: do_el0_svc() is not in this kernel, or cannot be probed: cannot find sys_call_table\n");
		return -ENOENT;
	}
	*table = xyz_find_adrp_add(func, "sys_call_table");
	if (!*table) {
		pr_err("hook=table: no adrp+add of sys_call_table in %pS: this kernel's entry is not laid out as expected, cannot hook the table\n",
		       (void *)func);
		return -ENOENT;
	}
	return 0;
}
