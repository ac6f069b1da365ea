// SPDX-License-Identifier: GPL-2.0
/*
 * xyz_trace_doors: calls one door at a time between the two marker
 * instructions that tools/qemu-plugin/xyz_trace.c recognises, so the plugin
 * records exactly that call, user and kernel instructions alike.
 *
 * usage: xyz_trace_doors REPS DOOR...   (DOOR: a name of the table below)
 *
 * Per door it prints "XYZ-TRACE-DOOR <name> <id> <reps> <rc>" and then opens
 * REPS windows, one call each, after two unmarked warm-up calls (the first
 * call of a path faults pages in; those faults are not the path). The host
 * matches windows to doors by order and checks the id the marker carries.
 *
 * To add a door: a function below with its own MARKED() id, a row in
 * doors[], and a row in scripts/trace/doors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/xyz.h>

#include "xyz_test.h"

/* nopl 0x5859<id>01(%eax/%rax) and ...02: see xyz_trace.c. The id is an
 * immediate, so each call site is its own constant marker. */
#define MARK_OPEN(id)  asm volatile (".byte 0x0f,0x1f,0x80,0x01,%c0,0x59,0x58" \
				     :: "i" (id) : "memory")
#define MARK_CLOSE(id) asm volatile (".byte 0x0f,0x1f,0x80,0x02,%c0,0x59,0x58" \
				     :: "i" (id) : "memory")
/* one call, marked when asked to: every door body goes through this */
#define MARKED(id, mark, expr) ({			\
	long __r;					\
	if (mark)					\
		MARK_OPEN(id);				\
	__r = (expr);					\
	if (mark)					\
		MARK_CLOSE(id);				\
	__r; })

#define IA32_NR_GETPPID	64
#define IA32_NR_IOCTL	54
/* unused numbers that are not ours: 387..423 stay free on x86-64 for good */
#define NR_UNUSED	401
#define NR_UNUSED_ALT	402
#define IA32_NR_UNUSED	222	/* a hole of the i386 table, as 223 is */
#define IA32_NR_UNUSED_ALT 251

static int nr = 400, compat_nr = 223, xyz_fd = -1, null_fd = -1, zero_fd = -1;
static struct xyz_args *args;	/* below 4 GiB: int $0x80 takes 32-bit pointers */
static struct xyz_ring ring = { .fd = -1 };	/* set up before any window */
static const volatile struct xyz_page *page;	/* /dev/xyz's shared page */

static long int80_1(long n, unsigned long a1)
{
	long ret;

	asm volatile ("int $0x80" : "=a" (ret) : "0" (n), "b" (a1)
#ifdef __x86_64__
		      : "r8", "r9", "r10", "r11", "memory");
#else
		      : "memory");
#endif
	return ret;
}

#ifdef __x86_64__
static long syscall_insn(long n, long a1, long a2, long a3)
{
	long ret;

	asm volatile ("syscall" : "=a" (ret)
		      : "0" (n), "D" (a1), "S" (a2), "d" (a3)
		      : "rcx", "r11", "memory");
	return ret;
}

static long d_getppid(int m)	{ return MARKED(1, m, syscall_insn(__NR_getppid, 0, 0, 0)); }
static long d_raw(int m)	{ return MARKED(2, m, syscall_insn(nr, (long)args, 0, 0)); }
/* another unused number: ENOSYS, whatever hook sits on its way */
static long d_enosys(int m)
{
	return MARKED(14, m, syscall_insn(nr == NR_UNUSED ? NR_UNUSED_ALT : NR_UNUSED,
					  (long)args, 0, 0));
}
static long d_glibc(int m)	{ return MARKED(3, m, syscall(nr, args)); }
#endif
static long d_int80_getppid(int m) { return MARKED(4, m, int80_1(IA32_NR_GETPPID, 0)); }
static long d_int80(int m)	{ return MARKED(5, m, int80_1(compat_nr, (unsigned long)args)); }
static long d_int80_enosys(int m)
{
	return MARKED(15, m, int80_1(compat_nr == IA32_NR_UNUSED ? IA32_NR_UNUSED_ALT :
				     IA32_NR_UNUSED, (unsigned long)args));
}
static long d_ioctl(int m)	{ return MARKED(6, m, ioctl(xyz_fd, XYZ_IOC_CALL, args)); }
/* the same command on a file without ioctls: the VFS answers ENOTTY */
static long d_enotty(int m)	{ return MARKED(7, m, ioctl(null_fd, XYZ_IOC_CALL, args)); }
/* isatty()'s question, TCGETS, on the same file */
static long d_tcgets(int m)	{ return MARKED(9, m, ioctl(null_fd, TCGETS, args)); }
/* a command /dev/xyz does not know: the module's handler says ENOTTY */
static long d_enotty_xyz(int m)	{ return MARKED(10, m, ioctl(xyz_fd, _IO(XYZ_IOC_MAGIC, 0x7f), 0)); }
/*
 * One SQE, submitted and waited for in one io_uring_enter(), its CQE
 * reaped: the whole round trip the io_uring door costs a single call. The
 * ring is what libxyz makes a batch of (userspace/src/door_uring.c):
 * IORING_SETUP_COOP_TASKRUN, /dev/xyz its registered file 0.
 */
enum { URING_NOP, URING_FIXED, URING_FD };

static long uring_call(int how)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;

	if (ring.fd < 0)
		return -ENOSYS;
	sqe = xyz_ring_get_sqe(&ring);
	if (how == URING_FIXED) {
		xyz_prep_call(sqe, 0, args, 1);
		sqe->flags |= IOSQE_FIXED_FILE;
	} else if (how == URING_FD) {
		xyz_prep_call(sqe, xyz_fd, args, 1);
	} else {
		sqe->opcode = IORING_OP_NOP;
	}
	if (xyz_ring_submit(&ring, 1) != 1 || xyz_ring_reap(&ring, &cqe, 1) != 1)
		return -EIO;
	return cqe.res;
}

/*
 * io_uring refills its cache of free CQEs when the CQ ring wraps (37
 * instructions on 6.1), once in cq_entries calls: before a door's marked
 * calls, unmarked NOPs move the ring on until they all fit before a wrap,
 * so that no window holds a refill and every call of a door counts the same.
 */
static void uring_align(int reps)
{
	unsigned int entries, off;

	if (ring.fd < 0)
		return;
	entries = *ring.cq_mask + 1;
	while ((unsigned int)reps < entries) {
		off = __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE) & (entries - 1);
		if (off && off + reps <= entries)
			break;
		uring_call(URING_NOP);
	}
}

/*
 * INFO from the shared page, as libxyz reads it: the seqcount-checked
 * header and the sum of the counters (kept, so it is not optimised away).
 */
static volatile uint64_t page_calls;

static long page_info(void)
{
	struct xyz_page hdr;

	if (!page || xyz_page_header(page, &hdr, 100) < 0)
		return -EIO;
	page_calls = xyz_page_sum(page, &hdr);
	return 0;
}

static long d_uring_nop(int m)	{ return MARKED(11, m, uring_call(URING_NOP)); }
static long d_uring(int m)	{ return MARKED(12, m, uring_call(URING_FIXED)); }
static long d_uring_fd(int m)	{ return MARKED(16, m, uring_call(URING_FD)); }
static long d_mmap(int m)	{ return MARKED(13, m, page_info()); }
static long d_read1(int m)
{
	char c;

	return MARKED(8, m, read(zero_fd, &c, 1));
}

static const struct door {
	const char *name;
	int id;
	long (*call)(int mark);
} doors[] = {
#ifdef __x86_64__
	{ "getppid", 1, d_getppid },
	{ "raw", 2, d_raw },
	{ "glibc", 3, d_glibc },
	{ "enosys", 14, d_enosys },
#endif
	{ "int80_getppid", 4, d_int80_getppid },
	{ "int80", 5, d_int80 },
	{ "ioctl", 6, d_ioctl },
	{ "enotty", 7, d_enotty },
	{ "read1", 8, d_read1 },
	{ "tcgets", 9, d_tcgets },
	{ "enotty_xyz", 10, d_enotty_xyz },
	{ "uring_nop", 11, d_uring_nop },
	{ "uring", 12, d_uring },
	{ "mmap", 13, d_mmap },
	{ "uring_fd", 16, d_uring_fd },
	{ "int80_enosys", 15, d_int80_enosys },
};

static int read_param(const char *name, int dflt)
{
	char path[128];
	FILE *f;
	int v;

	snprintf(path, sizeof(path), "/sys/module/xyz/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return dflt;
	if (fscanf(f, "%d", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

/* The whole region: its header says how big it is. */
static const volatile struct xyz_page *map_page(int fd)
{
	size_t len = (size_t)sysconf(_SC_PAGESIZE);
	const struct xyz_page *p;
	size_t size;

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	size = p->size;
	if (size <= len)
		return p;
	munmap((void *)p, len);
	len = (size + len - 1) & ~(len - 1);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

int main(int argc, char **argv)
{
	int reps, i, r;
	size_t d;

	if (argc < 3) {
		fprintf(stderr, "usage: %s REPS DOOR...\n", argv[0]);
		return 2;
	}
	reps = atoi(argv[1]);
	nr = read_param("nr", nr);
	compat_nr = read_param("compat_nr", compat_nr);
	args = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS
#ifdef __x86_64__
		    | MAP_32BIT
#endif
		    , -1, 0);
	if (args == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	args->size = sizeof(*args);
	args->op = XYZ_OP_NOP;
	xyz_fd = open("/dev/xyz", O_RDWR);
	null_fd = open("/dev/null", O_RDWR);
	zero_fd = open("/dev/zero", O_RDONLY);
	/* a kernel without io_uring (or with it disabled) traces the rest */
	if (xyz_ring_init(&ring, 8, IORING_SETUP_COOP_TASKRUN) &&
	    xyz_ring_init(&ring, 8, 0))
		ring.fd = -1;
	if (xyz_fd >= 0) {
		page = map_page(xyz_fd);
		if (ring.fd >= 0)
			syscall(__NR_io_uring_register, ring.fd,
				IORING_REGISTER_FILES, &xyz_fd, 1);
	}
	for (i = 2; i < argc; i++) {
		for (d = 0; d < sizeof(doors) / sizeof(doors[0]); d++)
			if (!strcmp(doors[d].name, argv[i]))
				break;
		if (d == sizeof(doors) / sizeof(doors[0])) {
			fprintf(stderr, "unknown door %s\n", argv[i]);
			return 2;
		}
		doors[d].call(0);
		r = (int)doors[d].call(0);
		/* the result a door gives, so a door that failed is seen */
		printf("XYZ-TRACE-DOOR %s %d %d %d\n", doors[d].name,
		       doors[d].id, reps, r < 0 && r != -1 ? r : r == -1 ? -errno : r);
		fflush(stdout);
		uring_align(reps);
		for (r = 0; r < reps; r++)
			doors[d].call(1);
	}
	/* the ring would hold /dev/xyz until the kernel's worker frees it */
	if (ring.fd >= 0 && xyz_fd >= 0)
		syscall(__NR_io_uring_register, ring.fd,
			IORING_UNREGISTER_FILES, NULL, 0);
	return 0;
}
