// SPDX-License-Identifier: GPL-2.0
/*
 * hook=table: the classic swap of a sys_call_table entry, where the kernel
 * still calls through the table: arm64's invoke_syscall() on every kernel,
 * x86-64's do_syscall_64() before the Branch History Injection fix (Debian's
 * 5.10). x86-64 kernels with the fix dispatch through x64_sys_call(), a
 * switch, and only tracing reads the table: there this backend refuses, and
 * says why.
 *
 * Finding the table, as data only (docs/hooks.md), is the architecture's
 * part (module/arch/<arch>/xyz_table_find.c): neither the table nor
 * kallsyms_lookup_name() is exported and a kprobe cannot sit on data, so it
 * decodes the code that indexes the table, checking every step against the
 * kernel's own symbol table (sprint_symbol(), exported). Here the slot must
 * then hold the "no such system call" stub. Nothing found this way is ever
 * called.
 *
 * Writing it: the table is read-only (STRICT_KERNEL_RWX, and on arm64 also
 * in the linear map), and turning protection off globally (CR0.WP) is what
 * kernels defend against, so the slot is written the way the kernel patches
 * read-only data: through a temporary writable alias of its page, vmap()
 * with PAGE_KERNEL, one aligned 8-byte cmpxchg, vunmap() and a purge of the
 * lazily freed alias. The dispatcher loads the entry with one instruction: a
 * CPU sees the old or the new pointer, never half of each. Unload writes the
 * saved value back the same way, only over our own entry, then waits for
 * callers as every mode does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/sections.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

struct xyz_table_slot {
	unsigned long addr;	/* &table[nr], in the kernel's own mapping */
	unsigned long saved;	/* what it held before us */
};

static struct xyz_table_slot xyz_table_slots[XYZ_ABI_COUNT];

/*
 * Swap one table slot from @old to @new through a temporary writable alias
 * of its page: -EBUSY (and *@seen) when it did not hold @old.
 */
static int xyz_table_swap(unsigned long slot, unsigned long old,
			  unsigned long new, unsigned long *seen)
{
	/*
	 * The kernel image's own address: not in the linear map on every
	 * architecture (arm64), so virt_to_page() would be wrong there.
	 */
	struct page *page = pfn_to_page(__pa_symbol(slot) >> PAGE_SHIFT);
	void *alias;

	alias = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	if (!alias)
		return -ENOMEM;
	/* an aligned 8-byte slot: one atomic exchange, never torn */
	*seen = cmpxchg((unsigned long *)(alias + offset_in_page(slot)),
			old, new);
	/*
	 * vunmap() frees the alias lazily: until the next purge a CPU may
	 * still hold a writable translation of the table's page. Purge now.
	 */
	vunmap(alias);
	vm_unmap_aliases();
	return *seen == old ? 0 : -EBUSY;
}

int xyz_table_attach(enum xyz_abi abi, int nr)
{
	const struct xyz_abi_desc *desc = &xyz_abis[abi];
	struct xyz_table_slot *slot = &xyz_table_slots[abi];
	unsigned long table, old;
	int err;

	err = xyz_arch_find_table(abi, &table);
	if (err)
		return err;
	slot->addr = table + nr * sizeof(unsigned long);
	if (get_kernel_nofault(old, (unsigned long *)slot->addr))
		return -EFAULT;
	/*
	 * The stub has several names at one address (5.10's kallsyms calls
	 * it __do_sys_ni_syscall): compare addresses. Without IBT (where the
	 * table still routes) a kprobe's address is the function's own.
	 */
	if (old != xyz_function_site(desc->ni_syscall) &&
	    old != xyz_function_site(xyz_abis[XYZ_ABI_NATIVE].ni_syscall)) {
		pr_err("hook=table: %ps[%d] holds %pS, not the \"no such system call\" stub: someone else hooked it\n",
		       (void *)table, nr, (void *)old);
		return -EBUSY;
	}
	slot->saved = old;
	err = xyz_table_swap(slot->addr, old, (unsigned long)desc->entry,
			     &old);
	if (err == -EBUSY)
		pr_err("hook=table: %ps[%d] changed to %pS while we hooked it\n",
		       (void *)table, nr, (void *)old);
	else if (err)
		pr_err("hook=table: cannot map %ps's page writable: %d\n",
		       (void *)table, err);
	else
		pr_info("hook=table: %ps[%d] routes to %ps (was %ps)\n",
			(void *)table, nr, desc->entry, (void *)old);
	return err;
}

void xyz_table_detach(enum xyz_abi abi)
{
	const struct xyz_abi_desc *desc = &xyz_abis[abi];
	struct xyz_table_slot *slot = &xyz_table_slots[abi];
	unsigned long seen;
	int err;

	/*
	 * Put back what was there only over our own entry: someone who swapped
	 * the slot after us keeps it, and must put ours back before we go.
	 * Only a failed vmap() (no memory for a page table) can stop the swap,
	 * and unloading with our entry in the table would leave the kernel a
	 * pointer into freed text: retry until it works.
	 */
	for (;;) {
		err = xyz_table_swap(slot->addr, (unsigned long)desc->entry,
				     slot->saved, &seen);
		if (err != -ENOMEM)
			break;
		pr_warn_once("hook=table: cannot map the table to restore it, retrying\n");
		msleep(20);
	}
	if (err)
		pr_warn("hook=table: the slot holds %pS, no longer our entry: someone hooked it after us; left as it is\n",
			(void *)seen);
}
