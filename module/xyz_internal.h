/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the xyz module share: the service routine, the syscall
 * entry points the hooks route to, the hook backends and the misc device.
 */
#ifndef _XYZ_INTERNAL_H
#define _XYZ_INTERNAL_H

#include <linux/compiler_types.h>
#include <linux/types.h>
#include <uapi/linux/xyz.h>

struct pt_regs;

/* xyz_core.c: the one service routine behind every door */
long sys_xyz(struct xyz_args __user *uargs, enum xyz_door door);
long sys_xyz_nowait(struct xyz_args __user *uargs, enum xyz_door door);

/* xyz_main.c: the hook in effect and the numbers it routes (-1: none) */
extern enum xyz_hook xyz_hook;
extern int xyz_nr;
extern int xyz_compat_nr;

/* xyz_syscall.c: where a hooked system call lands, in syscall context */
long xyz_x64_entry(const struct pt_regs *regs);
long xyz_ia32_entry(const struct pt_regs *regs);
void xyz_wait_for_callers(void);
unsigned long xyz_lookup_name(const char *name);
int xyz_check_numbers(int nr, int compat_nr);

/* The two system call ABIs of x86-64, each with its own number. */
enum xyz_abi {
	XYZ_ABI_X64,	/* syscall instruction: x64_sys_call() */
	XYZ_ABI_IA32,	/* int $0x80 and 32-bit programs: ia32_sys_call() */
	XYZ_ABI_COUNT,
};

/* The dispatcher, its "no such call" stub and our entry point, per ABI. */
struct xyz_abi_desc {
	const char *dispatch;
	const char *ni_syscall;
	long (*entry)(const struct pt_regs *regs);
};

extern const struct xyz_abi_desc xyz_abis[XYZ_ABI_COUNT];

/*
 * A hook backend routes system call @nr of one ABI to that ABI's entry point.
 * detach() must return only when no CPU can newly enter module code through
 * it; xyz_wait_for_callers() then waits for the calls already on their way.
 */
struct xyz_hook_ops {
	const char *name;
	enum xyz_hook id;
	int (*attach)(enum xyz_abi abi, int nr);
	void (*detach)(enum xyz_abi abi);
};

extern const struct xyz_hook_ops xyz_hook_direct_ops;
extern const struct xyz_hook_ops xyz_hook_ftrace_ops;
extern const struct xyz_hook_ops xyz_hook_kprobe_ops;
extern const struct xyz_hook_ops xyz_hook_table_ops;

/* xyz_hook_direct_tramp.S and the numbers it compares against */
void xyz_direct_tramp_x64(void);
void xyz_direct_tramp_ia32(void);
extern u32 xyz_direct_nr_x64;
extern u32 xyz_direct_nr_ia32;

/* xyz_dev.c: /dev/xyz */
int xyz_dev_register(void);
void xyz_dev_unregister(void);

/* xyz_uring.c: IORING_OP_URING_CMD on /dev/xyz */
struct io_uring_cmd;
int xyz_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags);

#endif /* _XYZ_INTERNAL_H */
