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
 * only at user addresses (and, where the CPL can be read, in ring 3), so no
 * kernel text can open a window. Between them each executed instruction is
 * written out as "<ring> <address>".
 *
 * The ring: with plugin API 2 and later (QEMU 9.0 on; Debian 13's QEMU 10.0
 * has API 4) it is the CPL, the low two bits of the CS selector, read
 * through the register API. A translation block runs at one CPL (the CPL is
 * part of its flags, and every instruction that changes it ends the block),
 * so it is read once per block executed inside a window, and at the marker
 * that opens one. Every instruction's address is checked against it too:
 * Linux on x86 never executes user code in the upper canonical half nor
 * kernel code below it, and where the two disagree the window gets a
 * "!" line and scripts/trace/report.py refuses the trace. QEMU 7.2's API
 * (version 1) cannot read registers: there the address alone is the ring,
 * the rule the newer QEMU checks on every traced instruction.
 *
 * Output (arg out=FILE, default xyz-trace.out), one window after another:
 *   # xyz_trace api=N ring=cpl|address   first line: how rings were found
 *   W <seq> <id>       the window opened (seq counts windows from 0)
 *   <ring> <hexaddr>   one line per instruction executed in it
 *   ! <cpl> <hexaddr>  the instruction that follows ran at this CPL, which
 *                      its address contradicts
 *   E <seq> <count>    it closed after count instructions
 *   T <seq> <count>    it was abandoned (a new open, or the limit) after count
 *
 * A REP-prefixed string instruction (rep movs, stos, ...) counts once per
 * execution, however many iterations it makes, as the CPU retires it once.
 * QEMU 7.2 translates it as one iteration that jumps back to itself, so its
 * callback runs once per iteration and once more when the count reaches
 * zero; QEMU 10.0 loops inside the block and calls it once. So a REP string
 * instruction executed again right after itself, at the same address with
 * nothing in between, is that same instruction going on, and not counted:
 * the two QEMUs then give the same counts (scripts/trace/compare.py).
 *
 * Every instruction of the guest gets an execution callback, as the window
 * may open in any translated block. With API 2 and later it is conditional
 * on a per-vCPU "window open" flag, so QEMU skips it inline outside
 * windows; with API 1 it is called and returns at once. QEMU 10.0's CPU
 * time for one trace boot of 6.12 (three modes, two rounds; best of two to
 * four on a shared 2-core machine): 38 s so; 46 s with the CPL read on
 * every instruction (callbacks with QEMU_PLUGIN_CB_R_REGS); 50 s with 7.2's
 * way (unconditional callbacks, the address rule); 66 s with unconditional
 * callbacks and the CPL per block. All four gave the same counts.
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
#define XYZ_API		XYZ_TRACE_API
#else
#define XYZ_API		QEMU_PLUGIN_VERSION
#endif

/* API 2 (QEMU 9.0): registers, scoreboards, conditional callbacks */
#define HAVE_CPL	(QEMU_PLUGIN_VERSION >= 2)

QEMU_PLUGIN_EXPORT int qemu_plugin_version = XYZ_API;

#define KERNEL_HALF	0xffff800000000000ULL
#define MARK_OPEN	1
#define MARK_CLOSE	2
#define MARK_LEN	7
/* A window is one call: a few thousand instructions. Beyond this it was
 * not closed (the program died in it) and would only fill the disk. */
#define WINDOW_LIMIT	1000000UL

struct vcpu_window {
	bool open;
	int cpl;		/* of the block executing, while open */
	uint64_t last;		/* the address of the last instruction counted */
	unsigned long count;
	unsigned long seq;
	GString *buf;
	GByteArray *reg;	/* a register's bytes, read into */
};

static struct vcpu_window *windows;
static int n_vcpus;
static FILE *out;
static unsigned long next_seq;
static GMutex out_lock;
static unsigned long contradictions;

static struct vcpu_window *window_of(unsigned int vcpu)
{
	return (int)vcpu < n_vcpus ? &windows[vcpu] : NULL;
}

/* The ring Linux on x86 runs an address in. */
static int address_ring(uint64_t vaddr)
{
	return vaddr >= KERNEL_HALF ? 0 : 3;
}

/* The first bytes of insn, at most len, into b: how many. */
static size_t insn_data(struct qemu_plugin_insn *insn, uint8_t *b, size_t len)
{
#if QEMU_PLUGIN_VERSION >= 3	/* API 3: copied, not pointed to */
	return qemu_plugin_insn_data(insn, b, len);
#else
	size_t n = qemu_plugin_insn_size(insn);

	n = n < len ? n : len;
	memcpy(b, qemu_plugin_insn_data(insn), n);
	return n;
#endif
}

#if HAVE_CPL
static struct qemu_plugin_register *cs_reg;
static struct qemu_plugin_scoreboard *open_board;
static qemu_plugin_u64 open_flag;	/* per vCPU: 1 while a window is open */

static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu)
{
	GArray *regs = qemu_plugin_get_registers();
	unsigned int i;

	(void)id;
	(void)vcpu;
	for (i = 0; i < regs->len; i++) {
		qemu_plugin_reg_descriptor *r =
			&g_array_index(regs, qemu_plugin_reg_descriptor, i);

		if (!strcmp(r->name, "cs"))
			cs_reg = r->handle;
	}
	g_array_free(regs, true);
	if (!cs_reg) {
		fprintf(stderr, "xyz_trace: this QEMU's x86_64 vCPU has no register \"cs\"\n");
		abort();
	}
}

/* In a callback registered with QEMU_PLUGIN_CB_R_REGS only. */
static int read_cpl(struct vcpu_window *w)
{
	g_byte_array_set_size(w->reg, 0);
	if (qemu_plugin_read_register(cs_reg, w->reg) < 1) {
		fprintf(stderr, "xyz_trace: cannot read the CS register\n");
		abort();
	}
	return w->reg->data[0] & 3;
}

static void set_open(unsigned int vcpu, bool open)
{
	qemu_plugin_u64_set(open_flag, vcpu, open);
}

/* A block starts executing inside a window: its CPL. */
static void tb_exec(unsigned int vcpu, void *udata)
{
	struct vcpu_window *w = window_of(vcpu);

	(void)udata;
	if (w && w->open)
		w->cpl = read_cpl(w);
}

static void register_insn(struct qemu_plugin_insn *insn,
			  qemu_plugin_vcpu_udata_cb_t cb, void *udata)
{
	qemu_plugin_register_vcpu_insn_exec_cond_cb(insn, cb,
		QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_COND_NE, open_flag, 0,
		udata);
}

static void register_tb(struct qemu_plugin_tb *tb)
{
	qemu_plugin_register_vcpu_tb_exec_cond_cb(tb, tb_exec,
		QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_COND_NE, open_flag, 0,
		NULL);
}

static int setup_cpl(qemu_plugin_id_t id)
{
	int i;

	open_board = qemu_plugin_scoreboard_new(sizeof(uint64_t));
	open_flag = qemu_plugin_scoreboard_u64(open_board);
	for (i = 0; i < n_vcpus; i++)
		windows[i].reg = g_byte_array_sized_new(8);
	qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
	return 0;
}

#define MARK_FLAGS	QEMU_PLUGIN_CB_R_REGS
#define RING_SOURCE	"cpl"
#else
static int read_cpl(struct vcpu_window *w)
{
	(void)w;
	return 3;	/* a marker only opens at a user address */
}

static void set_open(unsigned int vcpu, bool open)
{
	(void)vcpu;
	(void)open;
}

static void register_insn(struct qemu_plugin_insn *insn,
			  qemu_plugin_vcpu_udata_cb_t cb, void *udata)
{
	qemu_plugin_register_vcpu_insn_exec_cb(insn, cb, QEMU_PLUGIN_CB_NO_REGS,
					       udata);
}

static void register_tb(struct qemu_plugin_tb *tb)
{
	(void)tb;
}

static int setup_cpl(qemu_plugin_id_t id)
{
	(void)id;
	return 0;
}

#define MARK_FLAGS	QEMU_PLUGIN_CB_NO_REGS
#define RING_SOURCE	"address"
#endif

static void window_end(unsigned int vcpu, struct vcpu_window *w, char kind)
{
	g_mutex_lock(&out_lock);
	fwrite(w->buf->str, 1, w->buf->len, out);
	fprintf(out, "%c %lu %lu\n", kind, w->seq, w->count);
	fflush(out);
	g_mutex_unlock(&out_lock);
	g_string_truncate(w->buf, 0);
	w->open = false;
	set_open(vcpu, false);
}

static void count(unsigned int vcpu, struct vcpu_window *w, uint64_t vaddr)
{
	int ring;

	if (++w->count > WINDOW_LIMIT) {
		window_end(vcpu, w, 'T');
		return;
	}
	ring = HAVE_CPL ? w->cpl : address_ring(vaddr);
	if (ring != address_ring(vaddr)) {
		g_string_append_printf(w->buf, "! %d %" PRIx64 "\n", ring, vaddr);
		contradictions++;
	}
	g_string_append_printf(w->buf, "%d %" PRIx64 "\n", ring, vaddr);
	w->last = vaddr;
}

static void insn_exec(unsigned int vcpu, void *udata)
{
	struct vcpu_window *w = window_of(vcpu);

	if (w && w->open)
		count(vcpu, w, (uint64_t)(uintptr_t)udata);
}

/* A REP string instruction: its next iteration is no new instruction. */
static void rep_exec(unsigned int vcpu, void *udata)
{
	struct vcpu_window *w = window_of(vcpu);
	uint64_t vaddr = (uint64_t)(uintptr_t)udata;

	if (w && w->open && w->last != vaddr)
		count(vcpu, w, vaddr);
}

/* udata: the marker's kind in bits 0-7, its id in bits 8-15 */
static void mark_exec(unsigned int vcpu, void *udata)
{
	struct vcpu_window *w = window_of(vcpu);
	unsigned int kind = (uintptr_t)udata & 0xff;
	unsigned int id = ((uintptr_t)udata >> 8) & 0xff;
	int cpl;

	if (!w)
		return;
	if (kind == MARK_OPEN) {
		cpl = read_cpl(w);
		if (cpl != 3)
			return;	/* not the program's: no window */
		if (w->open)
			window_end(vcpu, w, 'T');
		g_mutex_lock(&out_lock);
		w->seq = next_seq++;
		g_mutex_unlock(&out_lock);
		g_string_append_printf(w->buf, "W %lu %u\n", w->seq, id);
		w->count = 0;
		w->last = 0;
		w->cpl = cpl;
		w->open = true;
		set_open(vcpu, true);
	} else if (w->open) {
		window_end(vcpu, w, 'E');
	}
}

/* The marker's kind (MARK_*) and id, or 0 when insn is no marker. */
static unsigned int marker(struct qemu_plugin_insn *insn, uint64_t vaddr)
{
	uint8_t b[MARK_LEN];

	if (address_ring(vaddr) != 3 || qemu_plugin_insn_size(insn) != MARK_LEN ||
	    insn_data(insn, b, MARK_LEN) != MARK_LEN)
		return 0;
	if (b[0] != 0x0f || b[1] != 0x1f || b[2] != 0x80 || b[5] != 0x59 ||
	    b[6] != 0x58 || (b[3] != MARK_OPEN && b[3] != MARK_CLOSE))
		return 0;
	return b[3] | (unsigned int)b[4] << 8;
}

/*
 * Is insn a string instruction with a REP, REPE or REPNE prefix? Legacy
 * prefixes in any order, then at most one REX, then the one-byte opcode.
 */
static bool rep_string(struct qemu_plugin_insn *insn)
{
	uint8_t b[16];
	size_t n = insn_data(insn, b, sizeof(b)), i;
	bool rep = false;

	for (i = 0; i < n; i++) {
		switch (b[i]) {
		case 0xf2: case 0xf3:
			rep = true;
			continue;
		case 0xf0: case 0x2e: case 0x36: case 0x3e: case 0x26:
		case 0x64: case 0x65: case 0x66: case 0x67:
			continue;
		}
		break;
	}
	if (i < n && (b[i] & 0xf0) == 0x40)
		i++;	/* REX */
	if (!rep || i >= n)
		return false;
	switch (b[i]) {
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:	/* ins, outs */
	case 0xa4: case 0xa5: case 0xa6: case 0xa7:	/* movs, cmps */
	case 0xaa: case 0xab: case 0xac: case 0xad:	/* stos, lods */
	case 0xae: case 0xaf:				/* scas */
		return true;
	}
	return false;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;

	(void)id;
	register_tb(tb);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
		unsigned int m = marker(insn, vaddr);

		if (m)
			qemu_plugin_register_vcpu_insn_exec_cb(
				insn, mark_exec, MARK_FLAGS,
				(void *)(uintptr_t)m);
		else
			register_insn(insn, rep_string(insn) ? rep_exec : insn_exec,
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
			window_end(i, &windows[i], 'T');
	if (contradictions)
		fprintf(stderr,
			"xyz_trace: %lu traced instructions ran in another ring than their address says\n",
			contradictions);
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
	if (info->version.cur != XYZ_API) {
		fprintf(stderr,
			"xyz_trace: built for QEMU plugin API %d, this QEMU has %d (min %d): rebuild against its qemu-plugin.h\n",
			XYZ_API, info->version.cur, info->version.min);
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
	fprintf(out, "# xyz_trace api=%d ring=%s\n", XYZ_API, RING_SOURCE);
	n_vcpus = info->system.max_vcpus;
	windows = calloc((size_t)n_vcpus, sizeof(*windows));
	if (!windows)
		return -1;
	for (i = 0; i < n_vcpus; i++)
		windows[i].buf = g_string_sized_new(1 << 16);
	if (setup_cpl(id))
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
