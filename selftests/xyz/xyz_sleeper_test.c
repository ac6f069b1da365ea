// SPDX-License-Identifier: GPL-2.0
/*
 * A caller asleep inside sys_xyz, and the module going away under it.
 *
 * The caller's ECHO input is a userfaultfd page: the kernel's copy_from_user()
 * sleeps until this program supplies the page, as it would on a slow FUSE
 * file. Two cases, one per command line:
 *
 *   xyz_sleeper_test unload
 *	xyz is loaded. While the caller sleeps, rmmod must be refused (the
 *	module is in use) instead of hanging; once the page comes, the call
 *	completes with the right bytes and the module unloads.
 *
 *   xyz_sleeper_test unload-nop
 *	The same, but the call is a NOP whose struct xyz_args itself is on
 *	the slow page: the NOP the module serves without a reference must
 *	not sleep either.
 *
 *   xyz_sleeper_test rmmod-race KO PARAMS
 *	xyz is not loaded. Load it, then rmmod it while a caller waits for
 *	the module to be "going" and calls at once, on the slow page: a call
 *	that got in after rmmod began must fail with ENOSYS without touching
 *	the page (it can no longer pin the module, and the unload would wait
 *	for it as long as the page takes), so rmmod returns before the page
 *	comes. A few rounds; the window is the hook's detach (RCU-tasks grace
 *	periods).
 *
 *   xyz_sleeper_test failed-load KO PARAMS
 *	xyz is not loaded, and something (the fixture xyz_ipmodify.ko on
 *	ia32_sys_call) makes the second of its two attaches fail. A caller
 *	that got in through the first one while it was briefly live must be
 *	waited for before the failed load frees the module's text: the load
 *	returns only after the page came, and the call completes right.
 *	Without that wait the caller returns into freed text: an oops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "xyz_test.h"
#include "kselftest.h"

#define XYZ_DEFAULT_NR	400
#define ECHO_LEN	64

static long page_size;
static int uffd = -1;
static char *slow_page;		/* registered with uffd: every access sleeps */
static char *source_page;	/* what the slow page becomes */
static bool nop_on_slow_page;	/* the caller's struct is on it, a NOP */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void setup_uffd(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	page_size = sysconf(_SC_PAGESIZE);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		ksft_exit_skip("userfaultfd: %s\n", strerror(errno));
	if (ioctl(uffd, UFFDIO_API, &api))
		ksft_exit_fail_msg("UFFDIO_API: %s\n", strerror(errno));
	slow_page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	source_page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (slow_page == MAP_FAILED || source_page == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	for (long i = 0; i < page_size; i++)
		source_page[i] = (char)(i * 7 + 3);
	if (nop_on_slow_page) {
		memset(source_page, 0, sizeof(struct xyz_args));
		((struct xyz_args *)source_page)->size = sizeof(struct xyz_args);
	}
	reg.range.start = (uintptr_t)slow_page;
	reg.range.len = page_size;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		ksft_exit_fail_msg("UFFDIO_REGISTER: %s\n", strerror(errno));
}

/* Wait up to @ms for a fault on the slow page; true when one came. */
static bool wait_fault(int ms)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, ms) <= 0)
		return false;
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
		return false;
	return msg.event == UFFD_EVENT_PAGEFAULT;
}

static void supply_page(void)
{
	struct uffdio_copy copy = {
		.dst = (uintptr_t)slow_page,
		.src = (uintptr_t)source_page,
		.len = page_size,
	};

	if (ioctl(uffd, UFFDIO_COPY, &copy) && errno != EEXIST)
		ksft_exit_fail_msg("UFFDIO_COPY: %s\n", strerror(errno));
}

/*
 * The page's supplier: once a fault came, it supplies the page when told to,
 * or after a grace period, whichever comes first, so that nothing here ever
 * waits for a kernel that waits for us. The checks ask whether the page had
 * come, never how long something took: a grace period far longer than any
 * stall of a busy emulator is paid by a module that is wrong, and once by
 * the failed load, which must wait for it.
 */
struct supplier {
	pthread_t thread;
	int grace_ms;
	volatile bool go, stop;
	volatile bool faulted, supplied;
};

static void *supplier_main(void *arg)
{
	struct supplier *s = arg;
	double deadline;

	while (!s->stop && !wait_fault(50))
		;
	if (s->stop)
		return NULL;
	s->faulted = true;
	deadline = now() + s->grace_ms / 1000.0;
	while (!s->go && now() < deadline)
		usleep(10 * 1000);
	s->supplied = true;
	supply_page();
	return NULL;
}

static void supplier_start(struct supplier *s, int grace_ms)
{
	memset(s, 0, sizeof(*s));
	s->grace_ms = grace_ms;
	pthread_create(&s->thread, NULL, supplier_main, s);
}

static void supplier_stop(struct supplier *s)
{
	s->stop = true;
	pthread_join(s->thread, NULL);
}

/* Make the slow page missing again, so that the next access sleeps. */
static void forget_page(void)
{
	madvise(slow_page, page_size, MADV_DONTNEED);
}

/* The caller: ECHO from the slow page, through the 64-bit syscall door. */
struct caller {
	pthread_t thread;
	long nr;
	bool retry_enosys;	/* call again while the number is unhooked */
	volatile bool stop;
	volatile long ret;
	char out[ECHO_LEN];
};

static void *caller_main(void *arg)
{
	struct caller *c = arg;
	struct xyz_args a = {
		.size = sizeof(a),
		.op = XYZ_OP_ECHO,
		.in = (uintptr_t)slow_page,
		.in_len = ECHO_LEN,
		.out = (uintptr_t)c->out,
		.out_len = ECHO_LEN,
	};

	do {
		c->ret = xyz_door_glibc(c->nr, -1,
					nop_on_slow_page ? (void *)slow_page : &a);
	} while (c->retry_enosys && c->ret == -ENOSYS && !c->stop);
	return NULL;
}

static bool echoed_right(const struct caller *c)
{
	if (nop_on_slow_page)
		return c->ret == 0;
	return c->ret == ECHO_LEN && !memcmp(c->out, source_page, ECHO_LEN);
}

static int delete_xyz(void)
{
	return syscall(__NR_delete_module, "xyz", O_NONBLOCK) ? -errno : 0;
}

static long refcnt(void)
{
	char buf[32] = "";
	int fd = open("/sys/module/xyz/refcnt", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = '\0';
		close(fd);
	}
	return buf[0] ? strtol(buf, NULL, 10) : -1;
}

static int test_unload(void)
{
	struct caller c = { .nr = xyz_param_long("nr") };
	struct supplier s;
	long busy_refcnt;
	int err;

	ksft_set_plan(4);
	if (c.nr < 0)
		ksft_exit_skip("the 64-bit number is not hooked\n");
	supplier_start(&s, 20000);
	pthread_create(&c.thread, NULL, caller_main, &c);
	while (!s.faulted && c.ret == 0)
		usleep(10 * 1000);
	if (!s.faulted)
		ksft_exit_fail_msg("the caller never slept (%ld)\n", c.ret);

	busy_refcnt = refcnt();
	err = delete_xyz();
	/* Without the module reference, rmmod waited for the grace period. */
	ksft_test_result(!s.supplied && busy_refcnt >= 1,
			 "a sleeping caller holds the module (refcnt %ld)\n",
			 busy_refcnt);
	/* The kernel says EWOULDBLOCK for a module in use; kmod says EBUSY. */
	ksft_test_result(err == -EWOULDBLOCK,
			 "rmmod is refused while it sleeps (%s)\n",
			 strerror(-err));
	s.go = true;
	pthread_join(c.thread, NULL);
	supplier_stop(&s);
	ksft_test_result(echoed_right(&c),
			 "the call completes with the right bytes (%ld)\n",
			 c.ret);
	if (err == -EWOULDBLOCK)
		err = delete_xyz();
	ksft_test_result(err == 0, "rmmod works once the call is done (%s)\n",
			 strerror(-err));
	return 0;
}

static int load(const char *ko, const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	err = syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return err;
}

/* "going" once rmmod has begun (delete_module() set MODULE_STATE_GOING). */
static bool module_going(void)
{
	char buf[16] = "";
	int fd = open("/sys/module/xyz/initstate", O_RDONLY);
	bool going;

	if (fd < 0)
		return true;	/* gone already: the call comes too late */
	going = read(fd, buf, sizeof(buf) - 1) > 0 && !strncmp(buf, "going", 5);
	close(fd);
	return going;
}

struct racer {
	pthread_t thread;
	volatile bool ready;
	volatile long ret;
	char out[ECHO_LEN];
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;
	struct xyz_args a = {
		.size = sizeof(a),
		.op = XYZ_OP_ECHO,
		.in = (uintptr_t)slow_page,
		.in_len = ECHO_LEN,
		.out = (uintptr_t)r->out,
		.out_len = ECHO_LEN,
	};

	r->ready = true;
	while (!module_going())
		;
	r->ret = xyz_door_glibc(XYZ_DEFAULT_NR, -1, &a);
	return NULL;
}

static int test_rmmod_race(const char *ko, const char *params)
{
	const int rounds = 3;
	int i, err;

	ksft_set_plan(3 * rounds);
	for (i = 0; i < rounds; i++) {
		struct racer r = { .ret = 1 };
		struct supplier s;
		double start, took;
		bool waited;

		forget_page();
		err = load(ko, params);
		if (err)
			ksft_exit_fail_msg("%s %s: %s\n", ko, params,
					   strerror(-err));
		supplier_start(&s, 20000);
		pthread_create(&r.thread, NULL, racer_main, &r);
		while (!r.ready)
			usleep(1000);
		start = now();
		err = delete_xyz();
		took = now() - start;
		/* the page comes only after a fault and the grace period */
		waited = s.supplied;
		pthread_join(r.thread, NULL);
		supplier_stop(&s);
		ksft_test_result(err == 0 && !waited,
				 "round %d: rmmod returns without waiting for the page (%s, %.1fs)\n",
				 i + 1, strerror(-err), took);
		ksft_test_result(!s.faulted,
				 "round %d: a call after rmmod began does not touch the page\n",
				 i + 1);
		ksft_test_result(r.ret == -ENOSYS,
				 "round %d: the call fails with ENOSYS (%ld)\n",
				 i + 1, r.ret);
		if (access("/sys/module/xyz", F_OK) == 0)
			ksft_exit_fail_msg("xyz is still loaded\n");
	}
	return 0;
}

/*
 * The window is the moment between the first attach and the failure of the
 * second: keep calling the number from another thread, one load after
 * another, until a call got in and fell asleep.
 */
static int test_failed_load(const char *ko, const char *params)
{
	const int tries = 200;
	int i, err = 0;

	ksft_set_plan(3);
	for (i = 0; i < tries; i++) {
		struct caller c = { .nr = XYZ_DEFAULT_NR, .retry_enosys = true };
		struct supplier s;
		bool waited;

		forget_page();
		supplier_start(&s, 20000);
		pthread_create(&c.thread, NULL, caller_main, &c);
		err = load(ko, params);
		/*
		 * A caller that fell asleep must have been waited for: the page
		 * it needed came before the load returned. Without the wait the
		 * module is gone already, and the page sends the caller back
		 * into freed text (an oops, which the VM run reports).
		 */
		waited = s.supplied;
		usleep(200 * 1000);	/* for a fault still on its way to us */
		if (!s.faulted) {
			c.stop = true;
			pthread_join(c.thread, NULL);
			supplier_stop(&s);
			if (err == 0)
				break;	/* it loaded: the fixture is not there */
			continue;
		}
		ksft_print_msg("try %d: a caller slept in the failing load\n",
			       i + 1);
		ksft_test_result(err != 0 && waited,
				 "the failed load waited for it (%s)\n",
				 strerror(-err));
		c.stop = true;
		pthread_join(c.thread, NULL);
		supplier_stop(&s);
		ksft_test_result(echoed_right(&c),
				 "the caller completes with the right bytes (%ld)\n",
				 c.ret);
		ksft_test_result(access("/sys/module/xyz", F_OK) != 0,
				 "nothing is left loaded\n");
		return 0;
	}
	if (err == 0) {
		delete_xyz();
		ksft_exit_fail_msg("%s %s loaded: the second attach did not fail\n",
				   ko, params);
	}
	ksft_exit_skip("no call got in during %d failed loads\n", tries);
	return 0;
}

int main(int argc, char **argv)
{
	ksft_print_header();
	if (argc < 2)
		ksft_exit_fail_msg("usage: %s unload | unload-nop | rmmod-race KO PARAMS | failed-load KO PARAMS\n",
				   argv[0]);
	nop_on_slow_page = !strcmp(argv[1], "unload-nop");
	setup_uffd();
	if (!strcmp(argv[1], "unload") || nop_on_slow_page)
		test_unload();
	else if (!strcmp(argv[1], "rmmod-race") && argc == 4)
		test_rmmod_race(argv[2], argv[3]);
	else if (!strcmp(argv[1], "failed-load") && argc == 4)
		test_failed_load(argv[2], argv[3]);
	else
		ksft_exit_fail_msg("unknown test %s\n", argv[1]);
	ksft_finished();
	return 0;
}
