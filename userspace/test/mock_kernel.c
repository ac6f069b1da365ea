// SPDX-License-Identifier: MIT
/*
 * A stand-in for the module, so the door tests run on any host: a seccomp
 * filter traps the xyz numbers (400 for x86-64, 223 for ia32) and ioctl
 * XYZ_IOC_CALL, and the SIGSYS handler serves the call as abi.md says,
 * reading and writing user memory with process_vm_readv/writev so that bad
 * pointers give EFAULT. It is stricter than it need be on one point: the
 * compat entry refuses pointers above 4 GiB, which checks libxyz's bounce.
 *
 * Linked into doors_mock with the real door tests, and into xyz_mock with
 * the CLI; a constructor installs it and a fake root (fakesys.c) before
 * main() runs. Where it cannot, it prints a TAP skip-all line and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>
#include <xyz.h>

#include "fakesys.h"

#define MOCK_NR		400
#define MOCK_COMPAT_NR	223
#define NR64_IOCTL	16
#define NR32_IOCTL	54
#define PAGE		4096

static atomic_ullong calls;
static struct fakesys root;
static volatile uint64_t *page_calls;	/* CPU 0's counter in the fake page */

/* The module keeps its counters in the shared page: so does the mock. */
static void count(bool reset)
{
	if (reset)
		calls = 0;
	else
		calls++;
	__atomic_store_n(page_calls, (uint64_t)calls, __ATOMIC_RELAXED);
}

/* dev/xyz becomes a file holding a page as the module publishes it. */
static int fake_page(void)
{
	struct xyz_page h = {
		.seq = 2, .size = 2 * 64, .abi_version = XYZ_ABI_VERSION,
		.hook = XYZ_HOOK_FTRACE, .nr = MOCK_NR,
		.compat_nr = MOCK_COMPAT_NR, .ncpus = 1, .stride = 64,
		.counters_offset = 64,
	};
	char path[PATH_MAX];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/dev/xyz", root.root);
	fd = open(path, O_RDWR | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, PAGE) || pwrite(fd, &h, sizeof(h), 0) != sizeof(h)) {
		close(fd);
		return -1;
	}
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	page_calls = (volatile uint64_t *)((char *)p + h.counters_offset);
	return 0;
}

static bool high(uint64_t p)
{
	return p >> 32;
}

static int rw(bool write, void *local, uint64_t remote, size_t len)
{
	struct iovec l = { local, len };
	struct iovec r = { (void *)(uintptr_t)remote, len };
	ssize_t n;

	if (!len)
		return 0;
	if (sizeof(void *) == 4 && high(remote))
		return -EFAULT;
	n = write ? process_vm_writev(getpid(), &l, 1, &r, 1, 0) :
		    process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

/* Copy @len bytes between two user addresses, a chunk at a time. */
static int copy_user(uint64_t to, uint64_t from, size_t len)
{
	unsigned char buf[PAGE];
	size_t n;

	for (; len; len -= n, to += n, from += n) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		if (rw(false, buf, from, n) || rw(true, buf, to, n))
			return -EFAULT;
	}
	return 0;
}

static long info(__u32 door, const struct xyz_args *a, bool compat)
{
	struct xyz_info i = {
		.size = sizeof(i), .abi_version = XYZ_ABI_VERSION,
		.door = door, .hook = XYZ_HOOK_FTRACE, .nr = MOCK_NR,
		.compat_nr = MOCK_COMPAT_NR, .cpu = (__u32)sched_getcpu(),
		.uid = getuid(), .pid = (__u32)gettid(), .tgid = getpid(),
		.calls = calls,
	};
	size_t n = a->out_len < sizeof(i) ? a->out_len : sizeof(i);

	if (compat && high(a->out))
		return -EFAULT;
	return rw(true, &i, a->out, n) ?: (long)n;
}

static long serve(__u32 door, bool compat, uint64_t uargs)
{
	unsigned char tail[PAGE];
	struct xyz_args a;
	size_t i, n;
	__u32 size;

	if (rw(false, &size, uargs, sizeof(size)))
		return -EFAULT;
	if (size < XYZ_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE)
		return -E2BIG;
	if (rw(false, &a, uargs, sizeof(a)) ||
	    rw(false, tail, uargs + sizeof(a), size - sizeof(a)))
		return -EFAULT;
	for (i = 0; i < size - sizeof(a); i++)
		if (tail[i])
			return -E2BIG;
	if (a.flags || a.op > XYZ_OP_RESET)
		return -EINVAL;

	count(false);	/* as the module: valid calls, INFO sees itself */
	switch (a.op) {
	case XYZ_OP_NOP:
		return 0;
	case XYZ_OP_ECHO:
		if (a.in_len > XYZ_ECHO_MAX)
			return -E2BIG;
		if (compat && (high(a.in) || high(a.out)))
			return -EFAULT;
		n = a.in_len < a.out_len ? a.in_len : a.out_len;
		return copy_user(a.out, a.in, n) ?: (long)n;
	case XYZ_OP_INFO:
		return info(door, &a, compat);
	case XYZ_OP_RESET:
		if (geteuid())
			return -EPERM;
		count(true);
		return 0;
	}
	return 0;
}

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	greg_t *g = ((ucontext_t *)ucv)->uc_mcontext.gregs;
	bool compat = si->si_arch == AUDIT_ARCH_I386;
	bool ioctl = si->si_syscall == (compat ? NR32_IOCTL : NR64_IOCTL);
	__u32 door = ioctl ? XYZ_DOOR_IOCTL :
		     compat ? XYZ_DOOR_COMPAT : XYZ_DOOR_SYSCALL;
	int saved = errno;

	(void)sig;
	/* The argument: ioctl's third, else the first of the entry. */
#ifdef __x86_64__
	if (compat)
		g[REG_RAX] = (uint32_t)serve(door, true,
				(uint32_t)g[ioctl ? REG_RDX : REG_RBX]);
	else
		g[REG_RAX] = serve(door, false, g[ioctl ? REG_RDX : REG_RDI]);
#else
	g[REG_EAX] = serve(door, true, (uint32_t)g[ioctl ? REG_EDX : REG_EBX]);
#endif
	errno = saved;
}

#define LD(off)		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(k)		BPF_STMT(BPF_RET | BPF_K, (k))

static int install(void)
{
	struct sock_filter f[] = {
		LD(offsetof(struct seccomp_data, arch)),
		JEQ(AUDIT_ARCH_X86_64, 1, 0),			/* 1 */
		JEQ(AUDIT_ARCH_I386, 4, 3),			/* 2 */
		LD(offsetof(struct seccomp_data, nr)),		/* 3: x86-64 */
		JEQ(MOCK_NR, 8, 0),
		JEQ(NR64_IOCTL, 4, 0),
		RET(SECCOMP_RET_ALLOW),
		LD(offsetof(struct seccomp_data, nr)),		/* 7: ia32 */
		JEQ(MOCK_COMPAT_NR, 4, 0),
		JEQ(NR32_IOCTL, 0, 2),
		LD(offsetof(struct seccomp_data, args[1])),	/* 10: cmd */
		JEQ(XYZ_IOC_CALL, 1, 0),
		RET(SECCOMP_RET_ALLOW),
		RET(SECCOMP_RET_TRAP),				/* 13 */
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO };

	if (sigaction(SIGSYS, &sa, NULL) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -1;
	return 0;
}

static void cleanup(void)
{
	fake_cleanup(&root);
}

__attribute__((constructor))
static void mock_init(void)
{
	char nr[16], compat_nr[16];
	int one = 1, probe = 0;

	snprintf(nr, sizeof(nr), "%d\n", MOCK_NR);
	snprintf(compat_nr, sizeof(compat_nr), "%d\n", MOCK_COMPAT_NR);
	if (fake_init(&root) || fake_module(&root, nr, compat_nr, "ftrace\n") ||
	    fake_dev(&root) || fake_page()) {
		printf("1..0 # SKIP cannot make a fake root: %s\n",
		       strerror(errno));
		exit(0);
	}
	atexit(cleanup);
	/* Docker's default profile, for one, forbids process_vm_readv. */
	if (rw(false, &probe, (uintptr_t)&one, sizeof(one)) || probe != 1) {
		printf("1..0 # SKIP process_vm_readv on ourselves fails\n");
		exit(0);
	}
	if (install()) {
		printf("1..0 # SKIP no seccomp filter: %s\n", strerror(errno));
		exit(0);
	}
}
