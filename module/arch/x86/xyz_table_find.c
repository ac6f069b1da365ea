// SPDX-License-Identifier: GPL-2.0
/*
 * hook=table on x86-64: find sys_call_table (ia32_sys_call_table) as data.
 *
 * Only where the kernel still calls through the table (Debian's 5.10:
 * do_syscall_64() loads sys_call_table[nr] and calls it). Kernels with the
 * Branch History Injection fix in its final form dispatch through
 * x64_sys_call(), a switch: there a swapped entry would route nothing, and
 * this refuses.
 *
 * The CPU knows where a system call enters (MSR_LSTAR; the IDT's vector 0x80
 * for int $0x80), that entry code calls the C dispatcher with a plain call,
 * and the dispatcher loads the table's entry with one "mov table(,%reg,8)"
 * that carries the table's address. Every step is checked with
 * xyz_symbol_is(): the entry, the dispatcher and the table must each be
 * exactly the symbol expected.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/desc.h>
#include <asm/irq_vectors.h>
#include <asm/msr.h>

#include "xyz_internal.h"

/* How far into a function we look, at most. */
#define XYZ_SCAN_MAX	512

struct xyz_table_path {
	const char *entry;	/* the entry code the CPU jumps to */
	const char *dispatch;	/* the C function it calls */
	const char *table;	/* the table that function calls through */
};

static const struct xyz_table_path xyz_table_paths[XYZ_ABI_COUNT] = {
	[XYZ_ABI_NATIVE] = {
		"entry_SYSCALL_64", "do_syscall_64", "sys_call_table",
	},
	[XYZ_ABI_COMPAT] = {
		"entry_INT80_compat", "do_int80_syscall_32",
		"ia32_sys_call_table",
	},
};

/* A little-endian 32-bit displacement, sign-extended. */
static long xyz_rel32(const u8 *p)
{
	s32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The first @size bytes of code at @addr, read as data. */
static long xyz_read_code(u8 *buf, unsigned long addr, unsigned long size)
{
	return copy_from_kernel_nofault(buf, (const void *)addr, size);
}

/* The target of the first "call rel32" in @from that is the symbol @name. */
static unsigned long xyz_find_call(unsigned long from, const char *name)
{
	unsigned long size = XYZ_SCAN_MAX, i, target;
	static u8 code[XYZ_SCAN_MAX];

	/*
	 * The entry code is assembly with inner labels (with page-table
	 * isolation, the call comes after entry_SYSCALL_64_after_hwframe):
	 * its symbol's size says nothing, read on.
	 */
	if (!xyz_symbol_is(from, xyz_table_paths[0].entry, NULL) &&
	    !xyz_symbol_is(from, xyz_table_paths[1].entry, NULL))
		return 0;
	if (xyz_read_code(code, from, size))
		return 0;
	for (i = 0; i + 5 <= size; i++) {
		if (code[i] != 0xe8)	/* call rel32 */
			continue;
		target = from + i + 5 + xyz_rel32(&code[i + 1]);
		if (xyz_symbol_is(target, name, NULL))
			return target;
	}
	return 0;
}

/*
 * The table @name that @func indexes: "op table(,%reg,8), ..." encodes it
 * as ModRM mod=00 rm=100 (a SIB follows), SIB scale=8 base=none, then a
 * sign-extended 32-bit displacement: the table's address.
 */
static unsigned long xyz_find_table(unsigned long func, const char *name)
{
	unsigned long size, i, table;
	static u8 code[XYZ_SCAN_MAX];

	if (!xyz_symbol_is(func, xyz_table_paths[0].dispatch, &size) &&
	    !xyz_symbol_is(func, xyz_table_paths[1].dispatch, &size))
		return 0;
	size = min_t(unsigned long, size, XYZ_SCAN_MAX);
	if (xyz_read_code(code, func, size))
		return 0;
	for (i = 0; i + 6 <= size; i++) {
		if ((code[i] & 0xc7) != 0x04 || (code[i + 1] & 0xc7) != 0xc5)
			continue;
		table = (unsigned long)xyz_rel32(&code[i + 2]);
		if (xyz_symbol_is(table, name, NULL))
			return table;
	}
	return 0;
}

/*
 * Where the CPU enters the kernel for this ABI's system calls: MSR_LSTAR,
 * read with the rdmsr instruction itself (paravirt's rdmsr is an indirect
 * call, which the module never makes), and the IDT (sidt).
 */
static unsigned long xyz_entry_point(enum xyz_abi abi)
{
	struct desc_ptr idt;

	if (abi == XYZ_ABI_NATIVE)
		return native_read_msr(MSR_LSTAR);
	store_idt(&idt);
	if (idt.size < (IA32_SYSCALL_VECTOR + 1) * sizeof(gate_desc) - 1)
		return 0;
	return gate_offset((gate_desc *)idt.address + IA32_SYSCALL_VECTOR);
}

int xyz_arch_find_table(enum xyz_abi abi, unsigned long *table)
{
	const struct xyz_table_path *path = &xyz_table_paths[abi];
	const char *dispatch = xyz_abis[abi].dispatch;
	unsigned long entry, func;

	if (xyz_function_site(dispatch)) {
		pr_err("hook=table: this kernel dispatches system calls through %s(), a switch, not through the table: a swapped entry would route nothing; use hook=direct, ftrace or kprobe\n",
		       dispatch);
		return -EOPNOTSUPP;
	}
	entry = xyz_entry_point(abi);
	func = xyz_find_call(entry, path->dispatch);
	*table = func ? xyz_find_table(func, path->table) : 0;
	if (!*table) {
		pr_err("hook=table: %s() is absent, but no %s() -> %s() -> %s[] was found (entry %pS): cannot hook the table\n",
		       dispatch, path->entry, path->dispatch, path->table,
		       (void *)entry);
		return -ENOENT;
	}
	return 0;
}
