#!/usr/bin/env bash
# make bench: the benchmark matrix. For every kernel of scripts/kernel-matrix,
# one boot of the test VM runs scripts/bench/guest.sh (NOP through every
# door in every hook mode, the tax on other system calls, ECHO by size, 1
# against 2 threads); then scripts/bench/report.py writes
#   build/bench/<release>.json, build/bench/<release>.md,
#   docs/performance-<line>.svg and the results in docs/performance.md.
#
# usage: scripts/bench/run.sh [KERNEL_RELEASE...]      (default: the matrix)
# knobs (defaults in scripts/bench/guest.sh): XYZ_BENCH_CYCLES (8),
#        XYZ_BENCH_TAX_RUNS (3 processes per state and cycle),
#        XYZ_BENCH_BATCH_US (2000), XYZ_BENCH_ROUNDS (8), XYZ_BENCH_BATCHES
#        (5), XYZ_BENCH_SETTLE (0.5 s), XYZ_BENCH_ECHO_REPS (3),
#        XYZ_BENCH_SCALE_ROUNDS (5), XYZ_BENCH_SCALE_US (50000),
#        XYZ_BENCH_CPU (0: the vCPU every latency run is pinned to);
#        XYZ_BENCH_REPORT_ONLY=1 re-runs the report on the raw results
#        already in build/bench
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$XYZ_TOP"

start=$(date +%s)
out=$XYZ_BUILD/bench
mkdir -p "$out"
if [ -z "${XYZ_BENCH_REPORT_ONLY:-}" ]; then
	"$XYZ_TOP/scripts/install-deps.sh"
fi
command -v python3 >/dev/null || {
	xyz_apt_lists
	xyz_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends python3 >&2
}

if [ $# -gt 0 ]; then
	kernels="$*"
else
	kernels=$(xyz_matrix amd64) || xyz_die "cannot resolve the kernel matrix"
fi

# The VM gets the script itself as its command (vm-run.sh writes it to
# run.sh), the knobs prepended.
vm_cmd() {
	local v
	for v in XYZ_BENCH_CYCLES XYZ_BENCH_TAX_RUNS XYZ_BENCH_BATCH_US XYZ_BENCH_ROUNDS \
		 XYZ_BENCH_BATCHES XYZ_BENCH_SETTLE XYZ_BENCH_ECHO_REPS \
		 XYZ_BENCH_SCALE_ROUNDS XYZ_BENCH_SCALE_US XYZ_BENCH_CPU \
		 XYZ_BENCH_PART; do
		[ -z "${!v:-}" ] || printf '%s=%q\n' "$v" "${!v}"
	done
	cat "$XYZ_TOP/scripts/bench/guest.sh"
}

host_info() {
	echo "BENCHHOST cpu $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "BENCHHOST cores $(nproc)"
	echo "BENCHHOST qemu $(qemu-system-x86_64 --version | head -n 1)"
	if [ -n "${XYZ_ACCEL:-}" ]; then
		echo "BENCHHOST accel $XYZ_ACCEL"
	elif [ -w /dev/kvm ] && grep -qE '\b(vmx|svm)\b' /proc/cpuinfo; then
		echo "BENCHHOST accel kvm"
	else
		echo "BENCHHOST accel tcg,thread=single"
	fi
}

# The scaling boot's accelerator: KVM where there is one, else TCG with one
# host thread per vCPU.
scaling_accel() {
	if [ -n "${XYZ_ACCEL:-}" ]; then
		echo "$XYZ_ACCEL"
	elif [ -w /dev/kvm ] && grep -qE '\b(vmx|svm)\b' /proc/cpuinfo; then
		echo kvm
	else
		echo tcg-multi
	fi
}

raws=() failed=0
for kver in $kernels; do
	raw=$out/$kver.raw
	raws+=("$raw")
	[ -z "${XYZ_BENCH_REPORT_ONLY:-}" ] || continue
	xyz_log "bench on $kver"
	t0=$(date +%s)
	# two boots: the latencies with one host thread for both vCPUs (as
	# every test runs), the scaling with one per vCPU (guest.sh)
	{
		host_info
		ok=1
		XYZ_SERIAL_LOG=$out/serial-$kver.log "$XYZ_TOP/scripts/vm-run.sh" \
			--run "$(XYZ_BENCH_PART=latency vm_cmd)" "$kver" || {
			echo "BENCHERR vm-run.sh failed (serial log: $out/serial-$kver.log)"
			ok=
		}
		echo "BENCHHOST scaling_accel $(scaling_accel)"
		XYZ_ACCEL=$(scaling_accel) XYZ_SERIAL_LOG=$out/serial-$kver-scaling.log \
			"$XYZ_TOP/scripts/vm-run.sh" \
			--run "$(XYZ_BENCH_PART=scaling vm_cmd)" "$kver" || {
			echo "BENCHERR vm-run.sh failed (serial log: $out/serial-$kver-scaling.log)"
			ok=
		}
		[ -n "$ok" ]
	} >"$raw.tmp" || failed=1
	mv "$raw.tmp" "$raw"
	grep '^BENCHERR' "$raw" >&2 || true
	xyz_log "$kver: $(grep -c '^BENCH ' "$raw") runs in $(($(date +%s) - t0))s"
done

secs=()
[ -n "${XYZ_BENCH_REPORT_ONLY:-}" ] || secs=(--seconds "$(($(date +%s) - start))")
python3 "$XYZ_TOP/scripts/bench/report.py" --out "$out" --docs "$XYZ_TOP/docs" \
	"${secs[@]}" "${raws[@]}"
for kver in $kernels; do
	echo "  $out/$kver.json  $out/$kver.md"
done
echo "# make bench took $(($(date +%s) - start))s"
[ "$failed" = 0 ]
