#!/usr/bin/env bash
# The call path of every door, instruction by instruction: boots each kernel
# of the matrix once with the QEMU plugin tools/qemu-plugin/xyz_trace.c and
# one vCPU, traces every door of scripts/trace/doors in every hook mode and
# the native baselines (without and with the module), then symbolises the
# windows (scripts/trace/report.py).
#
# usage: scripts/trace/run.sh [--check] [--no-page] [--ko PATH] [KERNEL_RELEASE...]
#   writes build/trace/<kernel>/<hook>.json (hook: none and each mode the
#   module loaded in: direct, ftrace, kprobe, table, tracepoint) and, unless --no-page, docs/callpath.md and docs/callpath.svg
#   (and docs/syscall-path.md and .svg when Debian 13's 6.12 is among the kernels: scripts/trace/syscall_path.py);
#   --check also checks scripts/trace/budgets (scripts/trace/gate.py) and ends
#   with "N passed, N failed"; --ko traces that xyz.ko (scripts/trace/mutants.sh).
# Knobs: XYZ_TRACE_REPS (calls per door and round, 5), XYZ_TRACE_ROUNDS (2:
# the whole sequence twice in one boot, which must give the same counts),
# XYZ_TRACE_MODES ("direct ftrace kprobe table tracepoint": each kernel traces those
# its module loads in), XYZ_TRACE_DIR (build/trace), XYZ_TRACE_CPU (QEMU's
# -cpu; scripts/trace/cpu), XYZ_JOBS (kernels traced at once, 1).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

check="" page=1 ko=()
while [ $# -gt 0 ]; do
	case "$1" in
	--check) check=1; shift ;;
	--ko) ko=(--ko "$2"); shift 2 ;;
	--no-page) page=; shift ;;
	-*) xyz_die "unknown option $1" ;;
	*) break ;;
	esac
done
# XYZ_JOBS kernels at a time (one vCPU, one host thread each): the counts
# do not depend on the machine's load, only how many calls an interrupt
# lands in (those are dropped; every door needs one clean call a round).
njobs=${XYZ_JOBS:-1}
[[ $njobs =~ ^[1-9][0-9]*$ ]] || xyz_die "XYZ_JOBS must be a number >= 1"
if [ $# -gt 0 ]; then
	kernels=("$@")
else
	mapfile -t kernels < <(xyz_matrix amd64)
	[ ${#kernels[@]} -gt 0 ] || xyz_die "cannot resolve the kernel matrix"
fi

tdir=${XYZ_TRACE_DIR:-$XYZ_BUILD/trace}
mkdir -p "$tdir" "$XYZ_BUILD"
inc=$("$XYZ_TOP/scripts/trace/qemu-plugin-header.sh")
flock "$XYZ_BUILD/.build.lock" make -s -C "$XYZ_TOP/tools/qemu-plugin" \
	QEMU_PLUGIN_INC="$inc" OUTPUT="$tdir" >&2
plugin=$tdir/libxyz_trace.so
qemu_ver=$(dpkg-query -W -f='${Version}' qemu-system-x86)
# a plugin of another API version must be refused (one QEMU start, no boot)
make -s -C "$XYZ_TOP/tools/qemu-plugin" QEMU_PLUGIN_INC="$inc" OUTPUT="$tdir" \
	check-refusal >&2 || xyz_die "the plugin's API-version check failed"

# One CPU under every QEMU (scripts/trace/cpu); QEMU takes the last -cpu,
# so this one replaces vm-run.sh's -cpu max.
cpu=${XYZ_TRACE_CPU:-$(sed '/^#/d' "$XYZ_TOP/scripts/trace/cpu" | paste -sd,)}

# the door lists of the guest, from the table
doors() { # ABI KIND[,KIND]
	awk -v abi="$1" -v kinds=",$2," '!/^#/ && NF && $2 == abi && index(kinds, "," $3 ",") { printf "%s ", $1 }' \
		"$XYZ_TOP/scripts/trace/doors"
}
guest=$(printf 'REPS=%s ROUNDS=%s MODES="%s"\nB64="%s" D64="%s" B32="%s" D32="%s"\n' \
	"${XYZ_TRACE_REPS:-5}" "${XYZ_TRACE_ROUNDS:-2}" \
	"${XYZ_TRACE_MODES:-direct ftrace kprobe table tracepoint}" \
	"$(doors 64 base)" "$(doors 64 mbase,door)" "$(doors 32 base)" "$(doors 32 mbase,door)")
guest+=$'\n'$(cat "$XYZ_TOP/scripts/trace/guest.sh")

# One kernel: boot, trace, symbolise. Its status goes to $out/.rc, as it
# may run in the background.
trace_one() {
	local kver=$1 out=$tdir/$1 rc=0
	mkdir -p "$out"
	rm -f "$out"/*.json "$out/raw.trace" "$out/.rc"
	xyz_log "tracing $kver (one vCPU, QEMU plugin)"
	# -smp 1: nothing runs on another vCPU; thread=single TCG as vm-run has.
	# nokaslr: the same addresses in every boot, so the same hash buckets.
	# With KASLR, hook=kprobe's lookup of its single-step slot (get_kprobe(),
	# on every unused number) met the probe in the slot's hash bucket in
	# some boots (1 in 64, by the table's size): 4 instructions more
	# (measured on 6.1).
	if ! XYZ_VM_SMP=1 XYZ_SERIAL_LOG=$out/serial.log \
		XYZ_VM_CMDLINE="nokaslr${XYZ_VM_CMDLINE:+ $XYZ_VM_CMDLINE}" \
		XYZ_QEMU_ARGS="-plugin $plugin,out=$out/raw.trace -cpu $cpu" \
		"$XYZ_TOP/scripts/vm-run.sh" "${ko[@]}" --run "$guest" "$kver" >/dev/null; then
		echo "[$kver] FAILED: the trace boot (serial log: $out/serial.log)" >&2
		rc=1
	else
		python3 "$XYZ_TOP/scripts/trace/report.py" symbolise \
			--serial "$out/serial.log" --trace "$out/raw.trace" \
			--bin64 "$XYZ_BUILD/selftests/xyz_trace_doors" \
			--bin32 "$XYZ_BUILD/selftests/xyz_trace_doors_32" \
			--doors "$XYZ_TOP/scripts/trace/doors" --kernel "$kver" \
			--qemu "$qemu_ver" --out "$out" || rc=1
	fi
	echo "$rc" >"$out/.rc"
}

for kver in "${kernels[@]}"; do
	while [ "$(jobs -pr | wc -l)" -ge "$njobs" ]; do
		wait -n || true
	done
	if [ "$njobs" = 1 ]; then trace_one "$kver"; else trace_one "$kver" & fi
done
wait
rc=0
for kver in "${kernels[@]}"; do
	[ "$(cat "$tdir/$kver/.rc" 2>/dev/null)" = 0 ] || rc=1
done
if [ -n "$page" ] && [ "$rc" = 0 ]; then
	python3 "$XYZ_TOP/scripts/trace/report.py" page --tdir "$tdir" \
		--doors "$XYZ_TOP/scripts/trace/doors" \
		--md "$XYZ_TOP/docs/callpath.md" --svg "$XYZ_TOP/docs/callpath.svg" \
		"${kernels[@]}" || rc=1
	# docs/syscall-path.md shows one line's kernel: when it was traced
	python3 "$XYZ_TOP/scripts/trace/syscall_path.py" update --tdir "$tdir" \
		"${kernels[@]}" || rc=1
fi
if [ -n "$check" ]; then
	# shellcheck disable=SC2086
	python3 "$XYZ_TOP/scripts/trace/gate.py" ${XYZ_TRACE_GATE_ARGS:-} \
		--budgets "$XYZ_TOP/scripts/trace/budgets" --tdir "$tdir" \
		"${kernels[@]}" || rc=1
fi
exit "$rc"
