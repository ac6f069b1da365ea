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
#include <linux/uaccess.h>
#include <asm/byteorder.h>
#include <uapi/linux/xyz.h>

#include "xyz_compat.h"

struct file;
struct pt_regs;
struct vm_area_struct;

/*
 * xyz_core.c: the one service routine behind every door. The doors of
 * /dev/xyz, which their file pins, call sys_xyz() (below); a hooked
 * system call, which nothing pins, calls xyz_syscall().
 */
long xyz_syscall(struct xyz_args __user *uargs, enum xyz_door door);

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
	/* hook=direct on the ni_syscall stub: the trampoline there */
	void (*direct_ni_tramp)(void);
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
 * call that may sleep in xyz_syscall() is a reader of xyz_callers: see
 * xyz_wait_for_callers().
 */
extern struct srcu_struct xyz_callers;

void xyz_wait_for_callers(void);
unsigned long xyz_function_site(const char *name);
bool xyz_symbol_is(unsigned long addr, const char *name, unsigned long *size);
int xyz_check_numbers(int nr, int compat_nr);

/*
 * The hook backends, one file each. attach() routes system call @nr of one
 * ABI to that ABI's entry point. detach() must return only when no CPU can
 * newly enter module code through it; xyz_wait_for_callers() then waits for
 * the calls already on their way. They are called by name, never through a
 * pointer: the module makes no indirect call at all (scripts/checks/lint.sh
 * checks the object code), so no address taken from the kernel can ever be
 * called.
 */
int xyz_direct_attach(enum xyz_abi abi, int nr);
void xyz_direct_detach(enum xyz_abi abi);
int xyz_ftrace_attach(enum xyz_abi abi, int nr);
void xyz_ftrace_detach(enum xyz_abi abi);
int xyz_kprobe_attach(enum xyz_abi abi, int nr);
void xyz_kprobe_detach(enum xyz_abi abi);
int xyz_table_attach(enum xyz_abi abi, int nr);
void xyz_table_detach(enum xyz_abi abi);
int xyz_tracepoint_attach(enum xyz_abi abi, int nr);
void xyz_tracepoint_detach(enum xyz_abi abi);

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

/*
 * hook=tracepoint, in the sys_enter probe (the task's own pt_regs): does
 * the entry code re-read a number the probe changes; the ABI of the call
 * (XYZ_ABI_COUNT: one never routed); its struct xyz_args pointer; and
 * number -1, which skips the dispatch and leaves the return value alone.
 */
bool xyz_arch_sys_enter_renumbers(void);
enum xyz_abi xyz_arch_syscall_abi(void);
struct xyz_args __user *xyz_arch_syscall_args(const struct pt_regs *regs,
					      enum xyz_abi abi);
void xyz_arch_syscall_skip(struct pt_regs *regs);

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

/*
 * hook=direct on the stub (xyz_hook_direct.c): xyz_direct_tramp_ni looks
 * the low byte of a call's number up in xyz_direct_ni_filter and, on a hit,
 * leaves the stub for xyz_direct_ni_entry(), which checks the number
 * against xyz_direct_ni_nr[] of the caller's ABI.
 */
void xyz_direct_tramp_ni(void);
long xyz_direct_ni_entry(const struct pt_regs *regs);
extern u8 xyz_direct_ni_filter[256];
extern u32 xyz_direct_ni_nr[XYZ_ABI_COUNT];

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

/*
 * The service routine's common case, inline in every door: a NOP from a
 * caller built with this very struct (xyz_nop()). Every other call goes to
 * xyz_call() (xyz_core.c). @nowait: the caller must not sleep (io_uring's
 * IO_URING_F_NONBLOCK issue, the sys_enter probe): anything that would
 * fault on a user page or allocate is -EAGAIN, nothing counted, for the
 * caller to retry where sleeping is allowed.
 */
long xyz_call(struct xyz_args __user *uargs, enum xyz_door door, bool nowait);

/*
 * The first 8 bytes of struct xyz_args, size and op, read as one word: what
 * they hold for a NOP of this very struct size.
 */
#ifdef __LITTLE_ENDIAN
#define XYZ_NOP_HEAD	((u64)XYZ_OP_NOP << 32 | sizeof(struct xyz_args))
#else
#define XYZ_NOP_HEAD	((u64)sizeof(struct xyz_args) << 32 | XYZ_OP_NOP)
#endif

/*
 * Serve the call if it is that NOP: true when it was, and counted. Three
 * words are read in one user access block with page faults disabled: the
 * header, flags, and the struct's last word, read only so that a struct
 * that runs into an unmapped page fails as it does on the general path.
 * Any other call, and any fault, is left to xyz_call(), which reads the
 * struct again and decides the errno. This never sleeps and takes no
 * reference (see xyz_syscall()).
 */
static __always_inline bool xyz_nop(const struct xyz_args __user *uargs)
{
	u64 head, flags, last __maybe_unused;

	BUILD_BUG_ON(offsetof(struct xyz_args, op) != sizeof(u32));
	pagefault_disable();
	if (!user_read_access_begin(uargs, sizeof(*uargs)))
		goto out;
	unsafe_get_user(head, (const u64 __user *)uargs, fault);
	unsafe_get_user(flags, &uargs->flags, fault);
	unsafe_get_user(last, &uargs->out_len, fault);
	user_read_access_end();
	pagefault_enable();
	if (head != XYZ_NOP_HEAD || flags)
		return false;
	xyz_calls_inc();
	return true;
fault:
	user_read_access_end();
out:
	pagefault_enable();
	return false;
}

/* The service routine, for a door whose open file pins the module. */
static inline long sys_xyz(struct xyz_args __user *uargs, enum xyz_door door)
{
	if (likely(xyz_nop(uargs)))
		return 0;
	return xyz_call(uargs, door, false);
}

/* xyz_dev.c: /dev/xyz */
int xyz_dev_register(void);
void xyz_dev_unregister(void);

/* xyz_uring.c: IORING_OP_URING_CMD on /dev/xyz */
struct io_uring_cmd;
int xyz_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags);

#endif /* _XYZ_INTERNAL_H */
