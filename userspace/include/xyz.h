/* SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT) */
/*
 * libxyz: call the xyz service routine through each door the module opens.
 *
 * Every function follows the libc convention: a non-negative result, or -1
 * with errno set. See libxyz(3) for the details and xyz(2) for the call.
 */
#ifndef XYZ_H
#define XYZ_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <xyz/linux/xyz.h>	/* the ABI: include/uapi/linux/xyz.h */
#include <xyz_version.h>	/* LIBXYZ_VERSION, _MAJOR, _MINOR */

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The ways into the kernel; see libxyz(3) for what each is on i386. Values
 * below XYZ_VIA_COUNT may be unknown to this build (xyz_via_name() is NULL):
 * code that walks them skips those.
 */
enum xyz_via {
	XYZ_VIA_SYSCALL	= 0,	/* glibc syscall() */
	XYZ_VIA_ASM	= 1,	/* inline syscall instruction, no libc */
	XYZ_VIA_INT80	= 2,	/* int $0x80, the ia32 entry */
	XYZ_VIA_IOCTL	= 3,	/* ioctl(XYZ_IOC_CALL) on /dev/xyz */
	XYZ_VIA_MMAP	= 4,	/* the shared page: INFO only, no kernel entry */
	XYZ_VIA_URING	= 5,	/* IORING_OP_URING_CMD on /dev/xyz */
	XYZ_VIA_COUNT
};

/* What sysfs says about the module, see xyz_module_state(). */
struct xyz_module {
	bool	loaded;		/* /sys/module/xyz exists */
	int	nr;		/* 64-bit syscall number, -1 if not hooked */
	int	compat_nr;	/* ia32 syscall number, -1 if not hooked */
	int	hook;		/* enum xyz_hook, -1 if missing or unknown */
};

/* One call per door, then the same through a selector. */
int xyz_syscall(struct xyz_args *args);
int xyz_syscall_asm(struct xyz_args *args);
int xyz_int80(struct xyz_args *args);
int xyz_ioctl(struct xyz_args *args);
int xyz_mmap(struct xyz_args *args);
int xyz_uring(struct xyz_args *args);
int xyz_call(enum xyz_via via, struct xyz_args *args);

/* One wrapper per op. */
int xyz_nop(enum xyz_via via);
int xyz_echo(enum xyz_via via, const void *in, size_t in_len,
	     void *out, size_t out_len);
int xyz_info(enum xyz_via via, struct xyz_info *info);
int xyz_reset(enum xyz_via via);

/*
 * Batches through the io_uring door: up to @entries calls share one
 * io_uring_enter(). A batch is one thread's at a time. Every added call gets
 * a result: res is what the call returned (>= 0) or -errno, user_data what
 * was added with it, in the order the calls completed.
 */
#define XYZ_BATCH_MAX	4096

struct xyz_batch;

struct xyz_result {
	__u64	user_data;
	__s32	res;
	__u32	reserved;
};

struct xyz_batch *xyz_batch_open(unsigned int entries, unsigned int flags);
int xyz_batch_add(struct xyz_batch *b, struct xyz_args *args, __u64 user_data);
int xyz_batch_submit(struct xyz_batch *b);
int xyz_batch_wait(struct xyz_batch *b, struct xyz_result *res,
		   unsigned int n);
int xyz_batch_run(struct xyz_batch *b, struct xyz_result *res);
void xyz_batch_close(struct xyz_batch *b);

/*
 * Discovery (cached), availability and the test root. xyz_door_usable() is
 * the predicate: 1 when the door can be tried, else 0 with errno saying why.
 * xyz_door_available() is the errno check: 0 when it can, else -1 and errno.
 */
int xyz_module_state(struct xyz_module *mod);
int xyz_door_usable(enum xyz_via via);
int xyz_door_available(enum xyz_via via);
void xyz_refresh(void);
int xyz_set_root(const char *root);
void xyz_close(void);

/* What to do about a failure, or NULL when there is nothing to add. */
const char *xyz_hint(enum xyz_via via, int err);

/* Names, for command lines and messages; NULL or -1 (EINVAL) if unknown. */
const char *xyz_via_name(enum xyz_via via);
int xyz_via_from_name(const char *name);
const char *xyz_hook_name(int hook);
int xyz_hook_from_name(const char *name);
const char *xyz_door_name(int door);
const char *xyz_op_name(int op);
int xyz_op_from_name(const char *name);

/* A zeroed struct xyz_args of this ABI's size for @op. */
static inline void xyz_args_init(struct xyz_args *args, __u32 op)
{
	memset(args, 0, sizeof(*args));
	args->size = sizeof(*args);
	args->op = op;
}

#ifdef __cplusplus
}
#endif

#endif /* XYZ_H */
