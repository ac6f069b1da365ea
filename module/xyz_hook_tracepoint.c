// SPDX-License-Identifier: GPL-2.0
/*
 * hook=tracepoint: a probe on the sys_enter tracepoint, where production
 * system call tracers attach (perf, ftrace's syscall events, BPF's
 * raw_syscalls programs, Falco's driver). The entry code re-reads the
 * system call number after the tracepoint, and number -1 skips the dispatch
 * and leaves the return value alone. So for our number the probe serves the
 * call, stores the result as the return value and sets the number to -1.
 *
 * A probe must not sleep. Up to 6.x the syscall tracepoints call their
 * probes with preemption off; 7.x lets them fault, but inside an
 * RCU-tasks-trace read section, which a call asleep on a page that never
 * comes (userfaultfd, FUSE) would hold for ever, stalling every tracepoint
 * and BPF detach on the machine. So on every kernel the probe serves only
 * what needs no sleep (xyz_nop(), xyz_call() with nowait: resident
 * memory, no allocation), the common case, and hands anything else to the
 * task's own task work, which runs before the task returns to user space,
 * where it may fault and sleep, and stores the return value then. Until it has run, the return
 * value reads -ENOSYS to whatever looks at the system call's exit before
 * user space does (ptrace, audit, the sys_exit tracepoint).
 *
 * The price: enabling sys_enter sets TIF_SYSCALL_TRACEPOINT on every task,
 * so every system call on the machine takes the entry code's slow path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>
#include <asm/ptrace.h>
#include <asm/syscall.h>

#include "xyz_internal.h"

static struct tracepoint *xyz_tp_sys_enter;
static unsigned int xyz_tp_users;

/* The numbers routed, per ABI; U32_MAX: none (the probe checks apart). */
static u32 xyz_tp_nr[XYZ_ABI_COUNT] = { [0 ... XYZ_ABI_COUNT - 1] = U32_MAX };

/* A call that must sleep, on its way to the task's task work. */
struct xyz_tp_call {
	struct callback_head work;
	struct xyz_args __user *uargs;
	enum xyz_door door;
};

/*
 * The calls on their way, from a pool rather than kmalloc(): the probe runs
 * with preemption off, where PREEMPT_RT's slab locks sleep. A task has at
 * most one (it runs its task work before it can make another system call),
 * so the pool bounds the tasks in a deferred call at once; one more gets
 * -ENOMEM, as a failed allocation would.
 */
#define XYZ_TP_POOL	256
static struct xyz_tp_call xyz_tp_pool[XYZ_TP_POOL];
static DECLARE_BITMAP(xyz_tp_busy, XYZ_TP_POOL);

static struct xyz_tp_call *xyz_tp_get(void)
{
	unsigned long i;

	for (i = find_first_zero_bit(xyz_tp_busy, XYZ_TP_POOL); i < XYZ_TP_POOL;
	     i = find_next_zero_bit(xyz_tp_busy, XYZ_TP_POOL, i + 1))
		if (!test_and_set_bit_lock(i, xyz_tp_busy))
			return &xyz_tp_pool[i];
	return NULL;
}

static void xyz_tp_put(struct xyz_tp_call *call)
{
	clear_bit_unlock(call - xyz_tp_pool, xyz_tp_busy);
}

static enum xyz_door xyz_tp_door(enum xyz_abi abi)
{
	return abi == XYZ_ABI_COMPAT ? XYZ_DOOR_COMPAT : XYZ_DOOR_SYSCALL;
}

/*
 * Task work, in the caller's own task on its way back to user space: sys_xyz
 * may fault and sleep here. The module reference the probe took keeps this
 * code until its last instruction, after which the exit's RCU-tasks wait
 * (xyz_wait_for_callers()) covers the return.
 */
static void xyz_tp_finish(struct callback_head *work)
{
	struct xyz_tp_call *call = container_of(work, struct xyz_tp_call, work);
	long ret = -ENOSYS;

	/* an exiting task: its memory is going, nobody reads the result */
	if (!(current->flags & PF_EXITING))
		ret = xyz_syscall(call->uargs, call->door);
	syscall_set_return_value(current, current_pt_regs(), 0, ret);
	xyz_tp_put(call);
	module_put(THIS_MODULE);
}

/* The return value until xyz_tp_finish() has run, or the call's error. */
static long xyz_tp_defer(struct xyz_args __user *uargs, enum xyz_door door)
{
	struct xyz_tp_call *call;

	/* rmmod has begun: as if the module had gone already */
	if (!try_module_get(THIS_MODULE))
		return -ENOSYS;
	call = xyz_tp_get();
	if (!call) {
		module_put(THIS_MODULE);
		return -ENOMEM;
	}
	call->uargs = uargs;
	call->door = door;
	init_task_work(&call->work, xyz_tp_finish);
	/* a task in a system call is not past its exit's task work */
	if (task_work_add(current, &call->work, TWA_RESUME)) {
		xyz_tp_put(call);
		module_put(THIS_MODULE);
	}
	return -ENOSYS;
}

/*
 * Every system call of every task comes here: the numbers first, anything
 * else after. @id is what the dispatch would take the low 32 bits of.
 * notrace: no fentry nop on every system call of the machine.
 */
static void notrace xyz_tp_probe(void *data, struct pt_regs *regs, long id)
{
	struct xyz_args __user *uargs;
	enum xyz_abi abi;
	long ret;

	if (likely((u32)id != READ_ONCE(xyz_tp_nr[XYZ_ABI_NATIVE]) &&
		   (u32)id != READ_ONCE(xyz_tp_nr[XYZ_ABI_COMPAT])))
		return;
	abi = xyz_arch_syscall_abi();
	if (abi == XYZ_ABI_COUNT || (u32)id == U32_MAX ||
	    (u32)id != READ_ONCE(xyz_tp_nr[abi]))
		return;
	uargs = xyz_arch_syscall_args(regs, abi);
	ret = 0;
	if (!xyz_nop(uargs)) {
		ret = xyz_call(uargs, xyz_tp_door(abi), true);
		if (ret == -EAGAIN)
			ret = xyz_tp_defer(uargs, xyz_tp_door(abi));
	}
	syscall_set_return_value(current, regs, 0, ret);
	xyz_arch_syscall_skip(regs);
}

static void xyz_tp_find(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sys_enter"))
		*(struct tracepoint **)priv = tp;
}

int xyz_tracepoint_attach(enum xyz_abi abi, int nr)
{
	struct tracepoint *tp = NULL;
	int err;

	if (!xyz_arch_sys_enter_renumbers()) {
		pr_err("hook=tracepoint: this kernel's entry code does not re-read a system call number that a sys_enter probe changes (it needs \"entry: Respect changes to system call number by trace_sys_enter()\"): use hook=table or kprobe\n");
		return -EOPNOTSUPP;
	}
	if (xyz_tp_users) {
		WRITE_ONCE(xyz_tp_nr[abi], nr);
		xyz_tp_users++;
		return 0;
	}
	for_each_kernel_tracepoint(xyz_tp_find, &tp);
	if (!tp) {
		pr_err("hook=tracepoint: no sys_enter tracepoint in this kernel (CONFIG_FTRACE_SYSCALLS)\n");
		return -ENOENT;
	}
	xyz_tp_nr[abi] = nr;
	err = tracepoint_probe_register(tp, xyz_tp_probe, NULL);
	if (err) {
		xyz_tp_nr[abi] = U32_MAX;
		pr_err("hook=tracepoint: cannot attach to sys_enter: %d\n", err);
		return err;
	}
	xyz_tp_sys_enter = tp;
	xyz_tp_users = 1;
	return 0;
}

void xyz_tracepoint_detach(enum xyz_abi abi)
{
	WRITE_ONCE(xyz_tp_nr[abi], U32_MAX);
	if (--xyz_tp_users)
		return;
	tracepoint_probe_unregister(xyz_tp_sys_enter, xyz_tp_probe, NULL);
	/* no CPU is in the probe any more: what it deferred holds the module */
	tracepoint_synchronize_unregister();
}
