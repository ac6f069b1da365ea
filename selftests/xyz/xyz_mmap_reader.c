// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the shared page with its seqcount while another process loads and
 * unloads the module in every hook mode: each header copied must be whole
 * (the one the module in effect published, as its sysfs parameters say
 * while the mapping pins it). Usage: xyz_mmap_reader SECONDS. Prints TAP.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <sys/mman.h>
#include <time.h>

#include "xyz_test.h"

static const char *const hook_names[] = {
	[XYZ_HOOK_NONE] = "none", [XYZ_HOOK_TABLE] = "table",
	[XYZ_HOOK_FTRACE] = "ftrace", [XYZ_HOOK_KPROBE] = "kprobe",
	[XYZ_HOOK_DIRECT] = "direct", [XYZ_HOOK_TRACEPOINT] = "tracepoint",
};

static bool whole(const struct xyz_page *h, char *why, size_t len)
{
	char hook[16];

	xyz_param("hook", hook, sizeof(hook));
	if (h->seq & 1 || h->seq < 2)
		snprintf(why, len, "seq %u", h->seq);
	else if (h->abi_version != XYZ_ABI_VERSION || h->stride < 64 ||
		 h->size != h->counters_offset + h->ncpus * h->stride)
		snprintf(why, len, "layout: abi %u size %u", h->abi_version,
			 h->size);
	else if (h->hook > XYZ_HOOK_TRACEPOINT ||
		 strcmp(hook_names[h->hook], hook))
		snprintf(why, len, "hook %u, sysfs says %s", h->hook, hook);
	else if (h->nr != xyz_param_long("nr") ||
		 h->compat_nr != xyz_param_long("compat_nr"))
		snprintf(why, len, "nr %d compat_nr %d, sysfs %ld %ld", h->nr,
			 h->compat_nr, xyz_param_long("nr"),
			 xyz_param_long("compat_nr"));
	else
		return true;
	return false;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 8;
	long reads = 0, retries = 0, absent = 0, torn = 0, hooks[XYZ_HOOK_TRACEPOINT + 1] = { 0 };
	long len = sysconf(_SC_PAGESIZE);
	time_t end = time(NULL) + seconds;
	unsigned int seed = 1;
	char why[128];

	printf("TAP version 13\n1..1\n");
	while (time(NULL) < end) {
		volatile struct xyz_page *page;
		struct xyz_page h;
		long r;
		int fd, i;

		fd = open("/dev/" XYZ_DEVICE_NAME, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			absent++;
			usleep(1000);
			continue;
		}
		page = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (page == MAP_FAILED) {
			printf("# mmap: %s\n", strerror(errno));
			torn++;
			break;
		}
		for (i = 0; i < 64; i++) {
			r = xyz_page_header(page, &h, 1000000);
			if (r < 0 || !whole(&h, why, sizeof(why))) {
				if (r < 0)
					snprintf(why, sizeof(why),
						 "seq never settled: %u",
						 page->seq);
				if (torn++ < 5)
					printf("# torn header: %s\n", why);
				break;
			}
			retries += r;
			reads++;
			hooks[h.hook]++;
		}
		munmap((void *)page, len);
		/* a mapping pins the module: leave the loader some gaps */
		usleep(rand_r(&seed) % 3000);
	}
	printf("# %ld headers read (%ld retries), direct %ld ftrace %ld kprobe %ld table %ld tracepoint %ld none %ld, %ld times no device\n",
	       reads, retries, hooks[XYZ_HOOK_DIRECT], hooks[XYZ_HOOK_FTRACE],
	       hooks[XYZ_HOOK_KPROBE], hooks[XYZ_HOOK_TABLE],
	       hooks[XYZ_HOOK_TRACEPOINT], hooks[XYZ_HOOK_NONE], absent);
	if (torn || !reads) {
		printf("not ok 1 xyz_mmap_reader: %ld torn headers\n", torn);
		return 1;
	}
	printf("ok 1 xyz_mmap_reader: no torn header\n");
	return 0;
}
