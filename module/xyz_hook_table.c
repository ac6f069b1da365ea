// SPDX-License-Identifier: GPL-2.0
/*
 * hook=table: the classic swap of a sys_call_table entry, where the kernel
 * still calls through the table (Debian's 5.10: do_syscall_64() loads
 * sys_call_table[nr] and calls it). Kernels with the Branch History
 * Injection fix in its final form dispatch through x64_sys_call(), a switch,
 * and only tracing reads the table: there this backend refuses, and says why.
 *
 * Finding the table, as data only (docs/hooks.md). Neither the table nor
 * kallsyms_lookup_name() is exported, a kprobe cannot sit on data, and the
 * entry code is off limits to kprobes. But the CPU knows where a system call
 * enters (MSR_LSTAR; the IDT's vector 0x80 for int $0x80), that entry code
 * calls the C dispatcher with a plain call, and the dispatcher loads the
 * table's entry with one "mov table(,%reg,8)" that carries the table's
 * address. Every step is checked against the kernel's own symbol table
 * (sprint_symbol(), exported): the entry, the dispatcher and the table must
 * each be exactly the symbol expected, and the slot must hold the "no such
 * system call" stub. Nothing found this way is ever called.
 *
 * Writing it: the table is read-only (STRICT_KERNEL_RWX) and CR0.WP is
 * pinned, so the slot is written through a temporary writable alias of its
 * page, vmap() with PAGE_KERNEL, one aligned 8-byte store, vunmap(). The
 * dispatcher loads the entry with one instruction: a CPU sees the old or the
 * new pointer, never half of each. Unload writes the saved value back the
 * same way, then waits for callers as every mode does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/irq_vectors.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

/* How far into a function we look, at most. */
#define XYZ_SCAN_MAX	512

struct xyz_table_path {
	const char *entry;	/* the entry code the CPU jumps to */
	const char *dispatch;	/* the C function it calls */
	const char *table;	/* the table that function calls through */
};

static const struct xyz_table_path xyz_table_paths[XYZ_ABI_COUNT] = {
	[XYZ_ABI_X64] = {
		"entry_SYSCALL_64", "do_syscall_64", "sys_call_table",
	},
	[XYZ_ABI_IA32] = {
		"entry_INT80_compat", "do_int80_syscall_32",
		"ia32_sys_call_table",
	},
};

struct xyz_table_slot {
	unsigned long addr;	/* &table[nr], in the kernel's own mapping */
	unsigned long saved;	/* what it held before us */
};

static struct xyz_table_slot xyz_table_slots[XYZ_ABI_COUNT];

/*
 * Is @addr exactly the start of the symbol @name? Then *@size is its size
 * (sprint_symbol() prints "name+0x0/0xsize").
 */
static bool xyz_symbol_is(unsigned long addr, const char *name,
			  unsigned long *size)
{
	char buf[KSYM_SYMBOL_LEN];
	size_t len = strlen(name);

	sprint_symbol(buf, addr);
	if (strncmp(buf, name, len) || strncmp(buf + len, "+0x0/", 5))
		return false;
	return !size || sscanf(buf + len + 5, "%lx", size) == 1;
}

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

/* Where the CPU enters the kernel for this ABI's system calls. */
static unsigned long xyz_entry_point(enum xyz_abi abi)
{
	struct desc_ptr idt;

	if (abi == XYZ_ABI_X64)
		return xyz_read_lstar();
	xyz_store_idt(&idt);
	if (idt.size < (IA32_SYSCALL_VECTOR + 1) * sizeof(gate_desc) - 1)
		return 0;
	return gate_offset((gate_desc *)idt.address + IA32_SYSCALL_VECTOR);
}

/* Write one table slot through a temporary writable alias of its page. */
static int xyz_table_write(unsigned long slot, unsigned long value)
{
	struct page *page = virt_to_page(slot);
	void *alias;

	alias = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	if (!alias)
		return -ENOMEM;
	/* an aligned 8-byte slot: one store, never torn */
	WRITE_ONCE(*(unsigned long *)(alias + offset_in_page(slot)), value);
	vunmap(alias);
	return 0;
}

int xyz_table_attach(enum xyz_abi abi, int nr)
{
	const struct xyz_table_path *path = &xyz_table_paths[abi];
	struct xyz_table_slot *slot = &xyz_table_slots[abi];
	const char *dispatch = xyz_abis[abi].dispatch;
	unsigned long entry, func, table, old;
	int err;

	if (xyz_function_site(dispatch)) {
		pr_err("hook=table: this kernel dispatches system calls through %s(), a switch, not through the table: a swapped entry would route nothing; use hook=direct, ftrace or kprobe\n",
		       dispatch);
		return -EOPNOTSUPP;
	}
	entry = xyz_entry_point(abi);
	func = xyz_find_call(entry, path->dispatch);
	table = func ? xyz_find_table(func, path->table) : 0;
	if (!table) {
		pr_err("hook=table: %s() is absent, but no %s() -> %s() -> %s[] was found (entry %pS): cannot hook the table\n",
		       dispatch, path->entry, path->dispatch, path->table,
		       (void *)entry);
		return -ENOENT;
	}
	slot->addr = table + nr * sizeof(unsigned long);
	if (get_kernel_nofault(old, (unsigned long *)slot->addr))
		return -EFAULT;
	/*
	 * The stub has several names at one address (5.10's kallsyms calls
	 * it __do_sys_ni_syscall): compare addresses. Without IBT (where the
	 * table still routes) a kprobe's address is the function's own.
	 */
	if (old != xyz_function_site(xyz_abis[abi].ni_syscall) &&
	    old != xyz_function_site(xyz_abis[XYZ_ABI_X64].ni_syscall)) {
		pr_err("hook=table: %s[%d] holds %pS, not the \"no such system call\" stub: someone else hooked it\n",
		       path->table, nr, (void *)old);
		return -EBUSY;
	}
	slot->saved = old;
	err = xyz_table_write(slot->addr, (unsigned long)xyz_abis[abi].entry);
	if (err)
		pr_err("hook=table: cannot map %s's page writable: %d\n",
		       path->table, err);
	else
		pr_info("hook=table: %s[%d] routes to %ps (was %ps)\n",
			path->table, nr, xyz_abis[abi].entry, (void *)old);
	return err;
}

void xyz_table_detach(enum xyz_abi abi)
{
	struct xyz_table_slot *slot = &xyz_table_slots[abi];

	/*
	 * Only a failed vmap() (no memory for a page table) can stop this,
	 * and unloading with our entry in the table would leave the kernel a
	 * pointer into freed text: retry until it works.
	 */
	while (xyz_table_write(slot->addr, slot->saved)) {
		pr_warn_once("hook=table: cannot map the table to restore it, retrying\n");
		msleep(20);
	}
}
