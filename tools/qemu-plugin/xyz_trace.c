// SPDX-License-Identifier: GPL-2.0
/*
 * xyz_trace: a QEMU TCG plugin that records every instruction a vCPU
 * executes between two marker instructions the guest places around one call.
 *
 * The markers are 7-byte NOPs that no compiler emits (a 32-bit displacement
 * whose top bytes spell "XY"), harmless on any x86 CPU, 32- or 64-bit mode:
 *
 *   0f 1f 80 01 ID 59 58   nopl 0x5859ID01(%rax)   open window ID
 *   0f 1f 80 02 ID 59 58   nopl 0x5859ID02(%rax)   close it
 *
 * They are recognised at translation time from the instruction bytes, and
 * only at user addresses, so no kernel text can open a window. Between them
 * each executed instruction is written out as "<ring> <address>", where ring
 * is 0 for the kernel's upper canonical half and 3 below it: Linux on x86
 * never executes user code up there nor kernel code below, and QEMU 7.2's
 * plugin API (version 1) has no access to the CPU's CPL, so the address is
 * the privilege level.
 *
 * Output (arg out=FILE, default xyz-trace.out), one window after another:
 *   W <seq> <id>       the window opened (seq counts windows from 0)
 *   <ring> <hexaddr>   one line per instruction executed in it
 *   E <seq> <count>    it closed after count instructions
 *   T <seq> <count>    it was abandoned (a new open, or the limit) after count
 *
 * Every instruction of the guest gets an execution callback, as the window
 * may open in any translated block; outside a window it returns at once.
 */
#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

/* XYZ_TRACE_API: pretend another API version, to test the refusal below */
#ifdef XYZ_TRACE_API
#undef QEMU_PLUGIN_VERSION
#define QEMU_PLUGIN_VERSION XYZ_TRACE_API
#endif

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define KERNEL_HALF	0xffff800000000000ULL
#define MARK_OPEN	1
#define MARK_CLOSE	2
/* A window is one call: a few thousand instructions. Beyond this it was
 * not closed (the program died in it) and would only fill the disk. */
#define WINDOW_LIMIT	1000000UL

struct vcpu_window {
	bool open;
	unsigned long count;
	unsigned long seq;
	GString *buf;
};

static struct vcpu_window *windows;
static int n_vcpus;
static FILE *out;
static unsigned long next_seq;
static GMutex out_lock;

static struct vcpu_window *window_of(unsigned int vcpu)
{
	return (int)vcpu < n_vcpus ? &windows[vcpu] : NULL;
}

static void window_end(struct vcpu_window *w, char kind)
{
	g_mutex_lock(&out_lock);
	fwrite(w->buf->str, 1, w->buf->len, out);
	fprintf(out, "%c %lu %lu\n", kind, w->seq, w->count);
	fflush(out);
	g_mutex_unlock(&out_lock);
	g_string_truncate(w->buf, 0);
	w->open = false;
}

static void insn_exec(unsigned int vcpu, void *udata)
{
	struct vcpu_window *w = window_of(vcpu);
	uint64_t vaddr = (uint64_t)(uintptr_t)udata;

	if (!w || !w->open)
		return;
	if (++w->count > WINDOW_LIMIT) {
		window_end(w, 'T');
		return;
	}
	g_string_append_printf(w->buf, "%d %" PRIx64 "\n",
			       vaddr >= KERNEL_HALF ? 0 : 3, vaddr);
}

/* udata: the marker's kind in bits 0-7, its id in bits 8-15 */
static void mark_exec(unsigned int vcpu, void *udata)
{
	struct vcpu_window *w = window_of(vcpu);
	unsigned int kind = (uintptr_t)udata & 0xff;
	unsigned int id = ((uintptr_t)udata >> 8) & 0xff;

	if (!w)
		return;
	if (kind == MARK_OPEN) {
		if (w->open)
			window_end(w, 'T');
		g_mutex_lock(&out_lock);
		w->seq = next_seq++;
		g_mutex_unlock(&out_lock);
		g_string_append_printf(w->buf, "W %lu %u\n", w->seq, id);
		w->count = 0;
		w->open = true;
	} else if (w->open) {
		window_end(w, 'E');
	}
}

/* The marker's kind (MARK_*) and id, or 0 when insn is no marker. */
static unsigned int marker(struct qemu_plugin_insn *insn, uint64_t vaddr)
{
	const uint8_t *b = qemu_plugin_insn_data(insn);

	if (vaddr >= KERNEL_HALF || qemu_plugin_insn_size(insn) != 7)
		return 0;
	if (b[0] != 0x0f || b[1] != 0x1f || b[2] != 0x80 || b[5] != 0x59 ||
	    b[6] != 0x58 || (b[3] != MARK_OPEN && b[3] != MARK_CLOSE))
		return 0;
	return b[3] | (unsigned int)b[4] << 8;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;

	(void)id;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
		unsigned int m = marker(insn, vaddr);

		if (m)
			qemu_plugin_register_vcpu_insn_exec_cb(
				insn, mark_exec, QEMU_PLUGIN_CB_NO_REGS,
				(void *)(uintptr_t)m);
		else
			qemu_plugin_register_vcpu_insn_exec_cb(
				insn, insn_exec, QEMU_PLUGIN_CB_NO_REGS,
				(void *)(uintptr_t)vaddr);
	}
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	int i;

	(void)id;
	(void)p;
	for (i = 0; i < n_vcpus; i++)
		if (windows[i].open)
			window_end(&windows[i], 'T');
	fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = "xyz-trace.out";
	int i;

	/*
	 * QEMU itself accepts any plugin between its minimum and current API
	 * version; we want exactly the one this was compiled against, so that a
	 * QEMU upgrade rebuilds the plugin instead of tracing with another ABI.
	 */
	if (info->version.cur != QEMU_PLUGIN_VERSION) {
		fprintf(stderr,
			"xyz_trace: built for QEMU plugin API %d, this QEMU has %d (min %d): rebuild against its qemu-plugin.h\n",
			QEMU_PLUGIN_VERSION, info->version.cur,
			info->version.min);
		return -1;
	}
	if (!info->system_emulation || strcmp(info->target_name, "x86_64")) {
		fprintf(stderr, "xyz_trace: x86_64 system emulation only (got %s)\n",
			info->target_name);
		return -1;
	}
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			path = argv[i] + 4;
		} else {
			fprintf(stderr, "xyz_trace: unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	n_vcpus = info->system.max_vcpus;
	windows = calloc((size_t)n_vcpus, sizeof(*windows));
	if (!windows)
		return -1;
	for (i = 0; i < n_vcpus; i++)
		windows[i].buf = g_string_sized_new(1 << 16);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
