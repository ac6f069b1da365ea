// SPDX-License-Identifier: MIT
/*
 * hello-xyz: sys_xyz through glibc's syscall(), the way a C program calls a
 * system call that glibc has no wrapper for.
 *
 *	cc -I../../include/uapi -o hello-xyz hello-xyz.c
 *
 * syscall(nr, arg) puts nr in rax and arg in rdi (x86-64; x8 and x0 on
 * arm64), executes the syscall instruction (svc #0), and turns a negative
 * result into -1 and errno. Unlike the assembly programs, it can read the
 * number the module was loaded with from sysfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/xyz.h>

static long read_nr(void)
{
	FILE *f = fopen("/sys/module/xyz/parameters/nr", "r");
	long nr = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	return nr;
}

int main(void)
{
	char hello[] = "hello\n", reply[64];
	struct xyz_info info;
	struct xyz_args args = {
		.size = sizeof(args),
		.op = XYZ_OP_ECHO,
		.in = (__u64)(unsigned long)hello,
		.in_len = strlen(hello),
		.out = (__u64)(unsigned long)reply,
		.out_len = sizeof(reply),
	};
	long nr = read_nr(), n;

	if (nr < 0) {
		fprintf(stderr, "hello-xyz: xyz.ko is not loaded, or its nr is not hooked\n");
		return 1;
	}
	n = syscall(nr, &args);
	if (n < 0) {
		fprintf(stderr, "hello-xyz: syscall(%ld): %s\n", nr, strerror(errno));
		return 1;
	}
	printf("sys_xyz echoed: %.*s", (int)n, reply);

	args = (struct xyz_args){
		.size = sizeof(args),
		.op = XYZ_OP_INFO,
		.out = (__u64)(unsigned long)&info,
		.out_len = sizeof(info),
	};
	if (syscall(nr, &args) < 0) {
		fprintf(stderr, "hello-xyz: syscall(%ld): %s\n", nr, strerror(errno));
		return 1;
	}
	printf("sys_xyz says: door %u\n", info.door);
	printf("(number %ld, called by pid %u, %llu calls served)\n", nr, info.pid,
	       (unsigned long long)info.calls);
	return 0;
}
