// SPDX-License-Identifier: GPL-2.0
/*
 * The shared page (mmap of /dev/xyz): its layout and values against INFO's,
 * every refusal the spec lists, unprivileged and forked readers, the
 * per-CPU counters and RESET. Built 64- and 32-bit. Needs the module loaded
 * and nothing else calling xyz meanwhile (the counters must add up); the
 * RESET test needs root.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/personality.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "xyz_test.h"
#include "kselftest_harness.h"

#define TRIES	1000000

/* Possible CPUs: the last id in /sys/devices/system/cpu/possible, plus 1. */
static unsigned int possible_cpus(void)
{
	char buf[256], *p;
	ssize_t n;
	int fd;

	fd = open("/sys/devices/system/cpu/possible", O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = buf + strcspn(buf, "\n");
	while (p > buf && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return strtoul(p, NULL, 10) + 1;
}

static long ioctl_op(int fd, __u32 op, struct xyz_info *info)
{
	struct xyz_args a = { .size = sizeof(a), .op = op };

	if (info) {
		memset(info, 0, sizeof(*info));
		a.out = (uintptr_t)info;
		a.out_len = sizeof(*info);
	}
	return xyz_door_ioctl(0, fd, &a);
}

FIXTURE(page) {
	int fd;
	long pagesz;
	size_t len;			/* the region in whole pages */
	volatile void *map;
	struct xyz_page hdr;
};

FIXTURE_SETUP(page)
{
	self->pagesz = sysconf(_SC_PAGESIZE);
	self->fd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("/dev/xyz: %s (module loaded?)",
				      strerror(errno));
	/* one page first, to learn the size */
	self->map = mmap(NULL, self->pagesz, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(self->map != MAP_FAILED) TH_LOG("mmap: %s", strerror(errno));
	ASSERT_LE(0, xyz_page_header(self->map, &self->hdr, TRIES));
	self->len = (self->hdr.size + self->pagesz - 1) / self->pagesz *
		    self->pagesz;
	munmap((void *)self->map, self->pagesz);
	self->map = mmap(NULL, self->len, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(self->map != MAP_FAILED) TH_LOG("mmap: %s", strerror(errno));
}

FIXTURE_TEARDOWN(page)
{
	if (self->map && self->map != MAP_FAILED)
		munmap((void *)self->map, self->len);
	close(self->fd);
}

TEST_F(page, layout)
{
	const volatile uint8_t *b = self->map;
	unsigned int i;

	EXPECT_EQ(0, self->hdr.seq & 1);
	/* load published the header: seq moved on from the zeroed page's 0 */
	EXPECT_LE(2, self->hdr.seq);
	EXPECT_EQ(XYZ_ABI_VERSION, self->hdr.abi_version);
	/* no two CPUs on one line: 128 bytes, the largest line (arm64) */
	EXPECT_LE(128, self->hdr.stride);
	EXPECT_EQ(0, self->hdr.counters_offset % self->hdr.stride);
	EXPECT_LE(sizeof(struct xyz_page), self->hdr.counters_offset);
	EXPECT_EQ(possible_cpus(), self->hdr.ncpus);
	EXPECT_EQ(self->hdr.counters_offset +
		  self->hdr.ncpus * self->hdr.stride, self->hdr.size);
	for (i = sizeof(struct xyz_page); i < self->hdr.counters_offset; i++)
		ASSERT_EQ(0, b[i]) TH_LOG("byte %u of the gap", i);
}

TEST_F(page, equals_info)
{
	struct xyz_info info;
	char hook[16];
	uint64_t before, after;

	before = xyz_page_sum(self->map, &self->hdr);
	ASSERT_EQ(sizeof(info), ioctl_op(self->fd, XYZ_OP_INFO, &info));
	after = xyz_page_sum(self->map, &self->hdr);
	EXPECT_EQ(info.abi_version, self->hdr.abi_version);
	EXPECT_EQ(info.hook, self->hdr.hook);
	EXPECT_EQ(info.nr, self->hdr.nr);
	EXPECT_EQ(info.compat_nr, self->hdr.compat_nr);
	EXPECT_EQ(xyz_param_long("nr"), self->hdr.nr);
	EXPECT_EQ(xyz_param_long("compat_nr"), self->hdr.compat_nr);
	xyz_param("hook", hook, sizeof(hook));
	EXPECT_STREQ(hook, self->hdr.hook == XYZ_HOOK_DIRECT ? "direct" :
		     self->hdr.hook == XYZ_HOOK_FTRACE ? "ftrace" :
		     self->hdr.hook == XYZ_HOOK_KPROBE ? "kprobe" :
		     self->hdr.hook == XYZ_HOOK_TABLE ? "table" :
		     self->hdr.hook == XYZ_HOOK_NONE ? "none" : "?");
	/* INFO counts itself; reading the page counts nothing */
	EXPECT_EQ(before + 1, info.calls);
	EXPECT_EQ(info.calls, after);
	EXPECT_EQ(after, xyz_page_sum(self->map, &self->hdr));
}

/* Each call lands in the counter of the CPU it ran on, and only there. */
TEST_F(page, counters_per_cpu)
{
	unsigned int cpu, other;
	uint64_t *was;
	cpu_set_t set;
	int i, tested = 0;

	was = calloc(self->hdr.ncpus, sizeof(*was));
	ASSERT_TRUE(was != NULL);
	for (cpu = 0; cpu < self->hdr.ncpus; cpu++) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			continue;	/* possible, but not online */
		for (other = 0; other < self->hdr.ncpus; other++)
			was[other] = xyz_page_counter(self->map, &self->hdr,
						      other);
		for (i = 0; i < 100; i++)
			ASSERT_EQ(0, ioctl_op(self->fd, XYZ_OP_NOP, NULL));
		for (other = 0; other < self->hdr.ncpus; other++)
			EXPECT_EQ(was[other] + (other == cpu ? 100 : 0),
				  xyz_page_counter(self->map, &self->hdr, other))
				TH_LOG("calls on CPU %u, counter of CPU %u",
				       cpu, other);
		tested++;
	}
	EXPECT_LE(1, tested);
	free(was);
}

TEST_F(page, reset_zeroes_the_counters)
{
	unsigned int cpu;

	if (geteuid())
		SKIP(return, "RESET needs root");
	ASSERT_EQ(0, ioctl_op(self->fd, XYZ_OP_NOP, NULL));
	ASSERT_LE(1, xyz_page_sum(self->map, &self->hdr));
	ASSERT_EQ(0, ioctl_op(self->fd, XYZ_OP_RESET, NULL));
	for (cpu = 0; cpu < self->hdr.ncpus; cpu++)
		EXPECT_EQ(0, xyz_page_counter(self->map, &self->hdr, cpu));
	ASSERT_EQ(0, ioctl_op(self->fd, XYZ_OP_NOP, NULL));
	EXPECT_EQ(1, xyz_page_sum(self->map, &self->hdr));
}

/*
 * RESET from one CPU while another counts calls: a reset must not be lost.
 * CPU 1's counter read right after a RESET can only hold the calls that
 * finished after it began (plus the one in flight). An increment that
 * read its counter before the RESET zeroed it and stored the old value
 * plus one after would leave the calls before the RESET there. Under
 * single-threaded TCG the vCPUs never run at once, so only real hardware
 * (or KVM, or multi-threaded TCG) can show that; the module's answer is
 * structural (every CPU zeroes its own counter, in an IPI between two of
 * its increments), which this checks as far as a test can.
 */
struct reset_load {
	int fd;
	atomic_int stop;
	atomic_long done;
};

static void *reset_load_caller(void *arg)
{
	struct reset_load *l = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(1, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return NULL;
	while (!atomic_load(&l->stop))
		if (ioctl_op(l->fd, XYZ_OP_NOP, NULL) == 0)
			atomic_fetch_add(&l->done, 1);
	return NULL;
}

TEST_F(page, reset_under_load_is_not_lost)
{
	struct reset_load l = { .fd = self->fd };
	long resets = 0, before, after;
	uint64_t c1;
	pthread_t t;
	cpu_set_t set;
	time_t end;

	if (geteuid())
		SKIP(return, "RESET needs root");
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (self->hdr.ncpus < 2 || sched_setaffinity(0, sizeof(set), &set))
		SKIP(return, "needs CPUs 0 and 1");
	ASSERT_EQ(0, pthread_create(&t, NULL, reset_load_caller, &l));
	end = time(NULL) + 2;
	while (time(NULL) < end) {
		before = atomic_load(&l.done);
		ASSERT_EQ(0, ioctl_op(self->fd, XYZ_OP_RESET, NULL));
		c1 = xyz_page_counter(self->map, &self->hdr, 1);
		after = atomic_load(&l.done);
		resets++;
		EXPECT_GE(after - before + 1, (long)c1)
			TH_LOG("reset %ld: CPU 1 counts %llu, %ld calls since",
			       resets, (unsigned long long)c1, after - before);
		if (after - before + 1 < (long)c1)
			break;
	}
	atomic_store(&l.stop, 1);
	pthread_join(t, NULL);
	TH_LOG("%ld resets, %ld calls on CPU 1", resets, atomic_load(&l.done));
}

/* Is the mapping at @addr executable, by /proc/self/maps? -1: not found. */
static int mapped_exec(const volatile void *addr)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int x = -1;

	while (f && x < 0 && fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 &&
		    (uintptr_t)addr >= start && (uintptr_t)addr < end)
			x = perms[2] == 'x';
	}
	if (f)
		fclose(f);
	return x;
}

/*
 * READ_IMPLIES_EXEC (legacy i386 binaries, setarch -X): PROT_READ maps, and
 * the exec bit the personality implies is dropped, never granted; an
 * explicit PROT_EXEC is still EACCES, and so is adding it later. In a
 * child: the personality stays there.
 */
TEST_F(page, read_implies_exec)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int flags[] = { MAP_SHARED, MAP_PRIVATE };
		volatile void *p;
		int i;

		if (personality(PER_LINUX | READ_IMPLIES_EXEC) < 0 ||
		    !(personality(0xffffffff) & READ_IMPLIES_EXEC))
			_exit(10);
		for (i = 0; i < 2; i++) {
			p = mmap(NULL, self->pagesz, PROT_READ, flags[i],
				 self->fd, 0);
			if (p == MAP_FAILED)
				_exit(11 + 10 * i);	/* EACCES before */
			if (mapped_exec(p) != 0)
				_exit(12 + 10 * i);	/* mapped executable */
			if (((const volatile struct xyz_page *)p)->abi_version !=
			    XYZ_ABI_VERSION)
				_exit(13 + 10 * i);
			if (mprotect((void *)p, self->pagesz, PROT_READ))
				_exit(14 + 10 * i);
			if (mapped_exec(p) != 0)
				_exit(15 + 10 * i);
			if (!mprotect((void *)p, self->pagesz,
				      PROT_READ | PROT_EXEC) || errno != EACCES)
				_exit(16 + 10 * i);
			munmap((void *)p, self->pagesz);
			p = mmap(NULL, self->pagesz, PROT_READ | PROT_EXEC,
				 flags[i], self->fd, 0);
			if (p != MAP_FAILED || errno != EACCES)
				_exit(17 + 10 * i);	/* explicit exec */
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("1x/2x: MAP_SHARED/MAP_PRIVATE; x1: PROT_READ refused, x2: mapped executable, x3: wrong page, x4-x5: mprotect(PROT_READ), x6: mprotect adds exec, x7: explicit PROT_EXEC mapped");
}

TEST_F(page, refusals)
{
	void *p;

	/* offset other than 0 */
	p = mmap(NULL, self->pagesz, PROT_READ, MAP_SHARED, self->fd,
		 self->pagesz);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	/* longer than the region */
	p = mmap(NULL, self->len + self->pagesz, PROT_READ, MAP_SHARED,
		 self->fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, self->len + self->pagesz, PROT_READ, MAP_PRIVATE,
		 self->fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	/* writable or executable, shared or private */
	p = mmap(NULL, self->pagesz, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, self->pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, self->pagesz, PROT_WRITE, MAP_SHARED, self->fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, self->pagesz, PROT_READ | PROT_EXEC, MAP_SHARED,
		 self->fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, self->pagesz, PROT_READ | PROT_EXEC, MAP_PRIVATE,
		 self->fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
}

TEST_F(page, mprotect_cannot_add_write_or_exec)
{
	void *map = (void *)self->map;

	EXPECT_EQ(-1, mprotect(map, self->len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(map, self->len, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(map, self->len, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	/* taking read away and giving it back is fine */
	EXPECT_EQ(0, mprotect(map, self->len, PROT_NONE));
	EXPECT_EQ(0, mprotect(map, self->len, PROT_READ));
	EXPECT_EQ(XYZ_ABI_VERSION, ((volatile struct xyz_page *)map)->abi_version);
}

/* The same through a private mapping and through an O_RDONLY descriptor. */
TEST_F(page, private_and_read_only_fd)
{
	volatile struct xyz_page *priv;
	struct xyz_page hdr;
	int ro;

	priv = mmap(NULL, self->len, PROT_READ, MAP_PRIVATE, self->fd, 0);
	ASSERT_TRUE(priv != MAP_FAILED) TH_LOG("MAP_PRIVATE: %s", strerror(errno));
	ASSERT_LE(0, xyz_page_header(priv, &hdr, TRIES));
	EXPECT_EQ(0, memcmp(&hdr, &self->hdr, sizeof(hdr)));
	EXPECT_EQ(-1, mprotect((void *)priv, self->len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap((void *)priv, self->len);

	ro = open("/dev/" XYZ_DEVICE_NAME, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	priv = mmap(NULL, self->len, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_TRUE(priv != MAP_FAILED) TH_LOG("O_RDONLY: %s", strerror(errno));
	close(ro);	/* the mapping keeps its file */
	ASSERT_LE(0, xyz_page_header(priv, &hdr, TRIES));
	EXPECT_EQ(0, memcmp(&hdr, &self->hdr, sizeof(hdr)));
	/* a shorter mapping is fine too */
	EXPECT_EQ(0, munmap((void *)priv, self->len));
	priv = mmap(NULL, 1, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(priv != MAP_FAILED);
	EXPECT_EQ(XYZ_ABI_VERSION, priv->abi_version);
	munmap((void *)priv, 1);
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/*
 * A store faults, a forced write fails; the page survives being zapped and
 * mremap() cannot grow it.
 */
TEST_F(page, stores_fault_and_zap_refaults)
{
	volatile struct xyz_page *page = self->map;
	struct sigaction sa = { .sa_handler = on_fault };
	__u32 one = 1, hdr_seq = page->seq;
	void *p;
	int sig, mem;

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sig = sigsetjmp(fault_jmp, 1);
	if (!sig) {
		page->seq = 1;
		ASSERT_TRUE(false) TH_LOG("a store to the page did not fault");
	}
	EXPECT_EQ(SIGSEGV, sig);

	/* not even a forced write (ptrace's, /proc/pid/mem's) gets through */
	mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (mem >= 0) {
		EXPECT_EQ(-1, pwrite64(mem, &one, sizeof(one),
				       (off64_t)(uintptr_t)self->map));
		close(mem);
	}
	EXPECT_EQ(hdr_seq, page->seq);

	EXPECT_EQ(0, madvise((void *)self->map, self->len, MADV_DONTNEED));
	EXPECT_EQ(XYZ_ABI_VERSION, page->abi_version);

	p = mremap((void *)self->map, self->len, self->len + self->pagesz,
		   MREMAP_MAYMOVE);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EFAULT, errno);	/* VM_DONTEXPAND */
}

TEST_F(page, unprivileged_reader)
{
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		volatile struct xyz_page *page;
		struct xyz_page hdr;
		int fd;

		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		fd = open("/dev/" XYZ_DEVICE_NAME, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			_exit(3);
		page = mmap(NULL, self->len, PROT_READ, MAP_SHARED, fd, 0);
		if (page == MAP_FAILED)
			_exit(4);
		if (xyz_page_header(page, &hdr, TRIES) < 0 ||
		    memcmp(&hdr, &self->hdr, sizeof(hdr)))
			_exit(5);
		if (mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0) != MAP_FAILED || errno != EACCES)
			_exit(6);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("2 setuid, 3 open, 4 mmap, 5 header, 6 PROT_WRITE");
}

TEST_F(page, fork_inherits)
{
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct xyz_page hdr;
		uint64_t before;

		/* the inherited mapping, even with the fd gone */
		close(self->fd);
		if (xyz_page_header(self->map, &hdr, TRIES) < 0 ||
		    memcmp(&hdr, &self->hdr, sizeof(hdr)))
			_exit(2);
		before = xyz_page_sum(self->map, &hdr);
		self->fd = open("/dev/" XYZ_DEVICE_NAME, O_RDONLY | O_CLOEXEC);
		if (self->fd < 0 || ioctl_op(self->fd, XYZ_OP_NOP, NULL))
			_exit(3);
		if (xyz_page_sum(self->map, &hdr) != before + 1)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("2 header, 3 NOP, 4 the child's call not counted");
	EXPECT_EQ(XYZ_ABI_VERSION,
		  ((volatile struct xyz_page *)self->map)->abi_version);
}

TEST_HARNESS_MAIN
