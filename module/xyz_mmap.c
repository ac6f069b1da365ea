// SPDX-License-Identifier: GPL-2.0
/*
 * The shared page: the vDSO door. One region, allocated at load, holds
 * struct xyz_page (what INFO reports that does not depend on the caller,
 * under a seqcount) and one call counter per possible CPU. The counters are
 * the module's only call counters: every door increments its own CPU's slot
 * here, INFO sums them, RESET zeroes them. Processes map the region read-only
 * through mmap() on /dev/xyz and read it without entering the kernel.
 */
#include <linux/cache.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/personality.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <asm/local64.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

/*
 * A counter per cache line at least, so that no two CPUs share one: 128
 * bytes, the largest line of the CPUs these kernels run on (some arm64
 * cores; arm64's L1_CACHE_BYTES says 64, its ARCH_DMA_MINALIGN 128), which
 * also keeps apart the pairs of 64-byte lines x86 prefetches together.
 */
#define XYZ_COUNTER_STRIDE	max(128, L1_CACHE_BYTES)

DEFINE_PER_CPU(local64_t *, xyz_calls_slot);

static struct xyz_page *xyz_region;	/* page aligned, xyz_region_len */
static size_t xyz_region_len;		/* whole pages */
static DEFINE_MUTEX(xyz_page_lock);	/* serialises header writers */

int xyz_page_alloc(void)
{
	u32 stride = XYZ_COUNTER_STRIDE;
	u32 offset = ALIGN(sizeof(struct xyz_page), stride);
	size_t size = offset + (size_t)nr_cpu_ids * stride;
	int cpu;

	/* Index = CPU id: every possible CPU's id is below nr_cpu_ids. */
	xyz_region_len = PAGE_ALIGN(size);
	xyz_region = alloc_pages_exact(xyz_region_len,
				       GFP_KERNEL | __GFP_ZERO);
	if (!xyz_region)
		return -ENOMEM;

	xyz_region->size = size;
	xyz_region->abi_version = XYZ_ABI_VERSION;
	xyz_region->hook = XYZ_HOOK_NONE;
	xyz_region->nr = -1;
	xyz_region->compat_nr = -1;
	xyz_region->ncpus = nr_cpu_ids;
	xyz_region->stride = stride;
	xyz_region->counters_offset = offset;
	for_each_possible_cpu(cpu)
		per_cpu(xyz_calls_slot, cpu) =
			(local64_t *)((u8 *)xyz_region + offset + cpu * stride);
	return 0;
}

/*
 * Only reached when no file of /dev/xyz is left, so no mapping either (a
 * mapping holds its file), and after every caller has left sys_xyz().
 */
void xyz_page_free(void)
{
	free_pages_exact(xyz_region, xyz_region_len);
	xyz_region = NULL;
}

/*
 * Publish the hook in effect: the vDSO's write_seqcount_begin()/end(). A
 * reader that saw an odd seq, or a different seq after copying, retries.
 */
void xyz_page_publish(void)
{
	struct xyz_page *page = xyz_region;

	mutex_lock(&xyz_page_lock);
	WRITE_ONCE(page->seq, page->seq + 1);
	smp_wmb();	/* seq odd before any member changes */
	WRITE_ONCE(page->hook, xyz_hook);
	WRITE_ONCE(page->nr, xyz_nr);
	WRITE_ONCE(page->compat_nr, xyz_compat_nr);
	smp_wmb();	/* members complete before seq is even again */
	WRITE_ONCE(page->seq, page->seq + 1);
	mutex_unlock(&xyz_page_lock);
}

u64 xyz_calls_sum(void)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += local64_read(per_cpu(xyz_calls_slot, cpu));
	return sum;
}

/* In the IPI, on its own CPU: between two increments there (xyz_calls_inc). */
static void xyz_calls_reset_this_cpu(void *unused)
{
	local64_set(this_cpu_read(xyz_calls_slot), 0);
}

/*
 * A store from another CPU could land between the load and the store of an
 * increment (local64_inc() is not atomic across CPUs) and be lost: every
 * online CPU zeroes its own counter. An offline CPU runs nothing, and the
 * hotplug lock keeps it offline meanwhile.
 */
void xyz_calls_reset(void)
{
	int cpu;

	cpus_read_lock();
	on_each_cpu(xyz_calls_reset_this_cpu, NULL, 1);
	for_each_possible_cpu(cpu)
		if (!cpu_online(cpu))
			local64_set(per_cpu(xyz_calls_slot, cpu), 0);
	cpus_read_unlock();
}

/* Pages are served on first touch, so fork, mremap and zapping just work. */
static vm_fault_t xyz_page_fault(struct vm_fault *vmf)
{
	struct page *page;

	if (vmf->pgoff >= xyz_region_len >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	page = virt_to_page((u8 *)xyz_region + (vmf->pgoff << PAGE_SHIFT));
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct xyz_page_vm_ops = {
	.fault	= xyz_page_fault,
};

/*
 * Exec that only a READ_IMPLIES_EXEC personality added to PROT_READ (legacy
 * i386 binaries, setarch -X): mmap() adds it before f_op->mmap() and passes
 * no prot, so the system call's own argument tells. Where that cannot be
 * read (not mmap()), the bit is dropped too: dropping it grants nothing.
 */
static bool xyz_page_exec_implied(void)
{
	unsigned long prot;

	if (!(current->personality & READ_IMPLIES_EXEC))
		return false;
	if (!xyz_arch_mmap_prot(&prot))
		return true;
	return !(prot & PROT_EXEC);
}

int xyz_page_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff)
		return -EINVAL;
	if (vma->vm_end - vma->vm_start > xyz_region_len)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EACCES;
	if ((vma->vm_flags & VM_EXEC) && !xyz_page_exec_implied())
		return -EACCES;
	/*
	 * Never executable. Without VM_MAYWRITE/VM_MAYEXEC a later mprotect()
	 * adding either fails with EACCES, and a private mapping can never be
	 * copied on write. DONTEXPAND: mremap() cannot grow it past the region.
	 */
	xyz_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP,
			 VM_EXEC | VM_MAYWRITE | VM_MAYEXEC);
	vma->vm_ops = &xyz_page_vm_ops;
	return 0;
}
