/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the xyz module share: the service routine, the syscall
 * entry points the hooks route to, the hook backends and the misc device.
 */
#ifndef _XYZ_INTERNAL_H
#define _XYZ_INTERNAL_H

#include <linux/compiler_types.h>
#include <linux/ftrace.h>
#include <linux/percpu.h>
#include <asm/local64.h>
#include <linux/preempt.h>
#include <linux/srcu.h>
#include <linux/types.h>
#include <uapi/linux/xyz.h>

#include "xyz_compat.h"

struct file;
struct pt_regs;
struct vm_area_struct;

/* xyz_core.c: the one service routine behind every door */
long sys_xyz(struct xyz_args __user *uargs, enum xyz_door door);
long sys_xyz_nowait(struct xyz_args __user *uargs, enum xyz_door door);

/* xyz_main.c: the hook in effect */
extern enum xyz_hook xyz_hook;

/*
 * The system call ABIs of an architecture, each with its own number: x86-64
 * has the syscall instruction and the ia32 entry (int $0x80); arm64 has svc
 * from AArch64 only (AArch32 tasks are out of scope: no compat door).
 */
enum xyz_abi {
	XYZ_ABI_NATIVE,	/* x86-64: x64_sys_call(); arm64: invoke_syscall() */
	XYZ_ABI_COMPAT,	/* x86-64: ia32_sys_call(); arm64: none */
	XYZ_ABI_COUNT,
};

/* One slot of a syscall table the kernel was built from. */
struct xyz_slot {
	int nr;
	const char *name;
};

/*
 * What differs per ABI and architecture (module/arch/<arch>/xyz_arch.c). A
 * NULL name or entry means the mechanism or door does not exist there.
 */
struct xyz_abi_desc {
	const char *param;	/* its module parameter */
	const char *dispatch;	/* C dispatcher: hook=direct and ftrace */
	/* what runs instead of it for our number, called like it */
	const void *dispatch_entry;
	const char *ni_syscall;	/* "no such system call" stub: hook=kprobe */
	/* where a hooked call lands, called like a table entry: (regs) */
	long (*entry)(const struct pt_regs *regs);
	/* hook=direct: its trampoline and the number it compares */
	void (*direct_tramp)(void);
	u32 *direct_nr;
	const struct xyz_slot *slots;	/* the table this kernel was built from */
	size_t nslots;
	const char *absent;	/* why the door is missing, if it is */
};

extern const struct xyz_abi_desc xyz_abis[XYZ_ABI_COUNT];

/*
 * The numbers routed, per ABI (-1: none). Their defaults are the
 * architecture's (module/arch/<arch>/xyz_arch.c); module parameters
 * "nr" and "compat_nr".
 */
extern int xyz_nr;
extern int xyz_compat_nr;

/*
 * xyz_syscall.c: where a hooked system call lands, in syscall context. A
 * call inside sys_xyz is a reader of xyz_callers: see xyz_wait_for_callers().
 */
extern struct srcu_struct xyz_callers;

static inline long xyz_syscall(struct xyz_args __user *uargs,
			       enum xyz_door door)
{
	int idx = srcu_read_lock(&xyz_callers);
	long ret;

	ret = sys_xyz(uargs, door);
	srcu_read_unlock(&xyz_callers, idx);
	return ret;
}

void xyz_wait_for_callers(void);
unsigned long xyz_function_site(const char *name);
bool xyz_symbol_is(unsigned long addr, const char *name, unsigned long *size);
int xyz_check_numbers(int nr, int compat_nr);

/*
 * The hook backends, one file each. attach() routes system call @nr of one
 * ABI to that ABI's entry point. detach() must return only when no CPU can
 * newly enter module code through it; xyz_wait_for_callers() then waits for
 * the calls already on their way. They are called by name, never through a
 * pointer: the module makes no indirect call at all (scripts/lint.sh checks
 * the object code), so no address taken from the kernel can ever be called.
 */
int xyz_direct_attach(enum xyz_abi abi, int nr);
void xyz_direct_detach(enum xyz_abi abi);
int xyz_ftrace_attach(enum xyz_abi abi, int nr);
void xyz_ftrace_detach(enum xyz_abi abi);
int xyz_kprobe_attach(enum xyz_abi abi, int nr);
void xyz_kprobe_detach(enum xyz_abi abi);
int xyz_table_attach(enum xyz_abi abi, int nr);
void xyz_table_detach(enum xyz_abi abi);

/*
 * module/arch/<arch>/: what the hooks need to know of the architecture.
 *
 * xyz_arch_ni_call_is(): is the "no such system call" stub, probed with
 * @regs at its first instruction, serving call @nr of @abi?
 */
bool xyz_arch_ni_call_is(const struct pt_regs *regs, enum xyz_abi abi,
			 unsigned int nr);

/*
 * hook=ftrace: the ftrace_ops flags and callback of the architecture's
 * dispatcher; the callback sends call @nr to hook->entry.
 */
struct xyz_ftrace_hook {
	struct ftrace_ops ops;
	unsigned int nr;
	unsigned long entry;
};

extern const unsigned long xyz_arch_ftrace_flags;
void xyz_ftrace_func(unsigned long ip, unsigned long parent_ip,
		     struct ftrace_ops *op, struct xyz_ftrace_regs *fregs);

/* mmap(): the prot its caller asked for, when the call is mmap() */
bool xyz_arch_mmap_prot(unsigned long *prot);

/* hook=table: the address of the table @abi's calls go through, or an errno */
int xyz_arch_find_table(enum xyz_abi abi, unsigned long *table);

/* module/arch/x86: the entry points, the direct trampolines (.S) */
long xyz_x64_entry(const struct pt_regs *regs);
long xyz_ia32_entry(const struct pt_regs *regs);
void xyz_direct_tramp_x64(void);
void xyz_direct_tramp_ia32(void);
extern u32 xyz_direct_nr_x64;
extern u32 xyz_direct_nr_ia32;

/* module/arch/arm64: the entry point, and invoke_syscall()'s stand-in */
long xyz_arm64_entry(const struct pt_regs *regs);
void xyz_arm64_invoke(struct pt_regs *regs, unsigned int nr);

/*
 * xyz_mmap.c: the shared page (struct xyz_page) and the call counters in
 * it, one cache line or more per possible CPU; xyz_calls_slot points at
 * this CPU's. Only its own CPU writes a counter: the increment below, and
 * RESET, which zeroes each CPU's counter on that CPU (xyz_calls_reset()).
 */
int xyz_page_alloc(void);
void xyz_page_free(void);
void xyz_page_publish(void);
int xyz_page_mmap(struct file *file, struct vm_area_struct *vma);
u64 xyz_calls_sum(void);
void xyz_calls_reset(void);
DECLARE_PER_CPU(local64_t *, xyz_calls_slot);

/*
 * Preemption off: the slot stays this CPU's. local64_inc() is one
 * read-modify-write that no interrupt on this CPU splits (x86: one
 * instruction, no lock prefix), so RESET's zeroing, which runs on this CPU
 * too, comes before or after it, never in between.
 */
static inline void xyz_calls_inc(void)
{
	preempt_disable();
	local64_inc(__this_cpu_read(xyz_calls_slot));
	preempt_enable();
}

/* xyz_dev.c: /dev/xyz */
int xyz_dev_register(void);
void xyz_dev_unregister(void);

/* xyz_uring.c: IORING_OP_URING_CMD on /dev/xyz */
struct io_uring_cmd;
int xyz_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags);

#endif /* _XYZ_INTERNAL_H */
