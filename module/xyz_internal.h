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

/* xyz_main.c: the hook in effect and the numbers it routes (-1: none) */
extern enum xyz_hook xyz_hook;
extern int xyz_nr;
extern int xyz_compat_nr;

/* xyz_syscall.c: where a hooked system call lands, in syscall context */
long xyz_x64_entry(const struct pt_regs *regs);
long xyz_ia32_entry(const struct pt_regs *regs);
void xyz_wait_for_callers(void);
unsigned long xyz_function_site(const char *name);
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

/* xyz_hook_direct_tramp.S and the numbers it compares against */
void xyz_direct_tramp_x64(void);
void xyz_direct_tramp_ia32(void);
extern u32 xyz_direct_nr_x64;
extern u32 xyz_direct_nr_ia32;

/* xyz_dev.c: /dev/xyz */
int xyz_dev_register(void);
void xyz_dev_unregister(void);

#endif /* _XYZ_INTERNAL_H */
