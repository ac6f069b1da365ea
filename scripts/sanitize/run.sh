#!/usr/bin/env bash
# make sanitize: the module under the kernel's own bug detectors, on really
# parallel vCPUs. Builds the debug kernels if needed (kernel.sh: KASAN with
# KFENCE, lockdep, UBSAN, kmemleak, debugobjects; KCSAN), then boots each
# under multi-threaded TCG (-accel tcg,thread=multi -smp 2: one host thread
# per vCPU; QEMU 9.1 or newer, scripts/sanitize/qemu.sh) with the module
# built against that very kernel, twice:
#
#   tests  selftests/xyz/xyz_modes.sh (vm-run.sh --tests): every selftest in
#          every hook mode, load/unload under load, the shared page's
#          readers while every mode is loaded and unloaded, the io_uring door
#          with its io-wq retries, the sleeper, the livepatch stand-in
#   soak   trinity as nobody, unloaded and in every hook mode
#          (vm-run.sh --soak), XYZ_SANITIZE_SOAK_CALLS (5000) calls each
#
# Each boot ends with two kmemleak scans (scripts/vm/init.sh). A boot passes when
# every test in it passes and the kernel's log holds no report of any kind
# (KASAN, KFENCE, KCSAN, lockdep, sleeping in atomic context, UBSAN,
# kmemleak, debugobjects, WARN, BUG, Oops; vm-run.sh judges, with warnings
# on the console: loglevel=5). Prints TAP, every report's first line as a
# comment, and one line "N passed, N failed, N skipped".
#
# usage: scripts/sanitize/run.sh [NAME...]        (default: kasan kcsan)
#   kasan-arm64 (make sanitize-arm64): the KASAN kernel's detectors on
#   arm64, cross-built (kernel.sh), booted by qemu-system-aarch64 -M virt
#   -accel tcg,thread=multi -cpu max,pauth-impdef=on -smp 2; not in the
#   default list
#   XYZ_SANITIZE_STEPS ("tests soak")   which boots
#   XYZ_SANITIZE_SOAK_CALLS (5000)      trinity's calls per mode
#   XYZ_VM_TIMEOUT (5400 s), XYZ_VM_MEM (2048 MiB): per boot
#   XYZ_SANITIZE_CACHED=1   build no kernel: when one is not in the cache,
#                           one skipped result says so (for check.sh and CI)
# The serial logs: build/<release>/sanitize-<step>.log.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"

[ $# -gt 0 ] || set -- kasan kcsan
"$XYZ_TOP/scripts/install-deps.sh" >&2 || xyz_die "cannot install the dependencies"
if [ -n "${XYZ_SANITIZE_CACHED:-}" ]; then
	mapfile -t paths < <("$XYZ_TOP/scripts/sanitize/kernel.sh" --cached "$@")
	if [ ${#paths[@]} != $# ]; then
		echo "TAP version 13"
		echo "ok 1 make sanitize # SKIP the debug kernels are not built (make -s sanitize-paths builds them)"
		echo "1..1"
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
else
	mapfile -t paths < <("$XYZ_TOP/scripts/sanitize/kernel.sh" "$@")
	[ ${#paths[@]} = $# ] || xyz_die "cannot build the debug kernels"
fi

# a QEMU whose multi-threaded TCG keeps no stale translation of patched
# kernel text (older ones kill the VM with an int3 memory does not hold)
qemu_dir=$("$XYZ_TOP/scripts/sanitize/qemu.sh") || xyz_die "no QEMU for make sanitize"
[ -z "$qemu_dir" ] || export PATH="$qemu_dir:$PATH"
qemu_version=$(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version //p')
export XYZ_ACCEL=tcg-multi
export XYZ_VM_MEM=${XYZ_VM_MEM:-2048}
export XYZ_VM_TIMEOUT=${XYZ_VM_TIMEOUT:-5400}
export XYZ_KSFT_TIMEOUT=${XYZ_KSFT_TIMEOUT:-$((XYZ_VM_TIMEOUT - 300))}
export XYZ_SOAK_CALLS=${XYZ_SANITIZE_SOAK_CALLS:-5000}
export XYZ_SOAK_SEED=${XYZ_SOAK_SEED:-$(date +%s)}
# longer load/unload rounds under load than the production kernels' runs:
# a debug kernel loads slowly, and more cycles give the races more chances
export XYZ_STRESS_SECONDS=${XYZ_STRESS_SECONDS:-20}
# warnings on the console too: the selftests clear dmesg between steps, and
# lockdep reports at KERN_WARNING, which "quiet" keeps off the console
export XYZ_VM_CMDLINE="loglevel=5${XYZ_VM_CMDLINE:+ $XYZ_VM_CMDLINE}"
steps=${XYZ_SANITIZE_STEPS:-tests soak}
smp=${XYZ_VM_SMP:-2}

# The detectors a kernel's .config has, as scripts/vm/init.sh names them.
detectors() {
	local c=$1/.config d=
	grep -q '^CONFIG_KASAN=y' "$c" && d=$d,kasan
	grep -q '^CONFIG_KFENCE=y' "$c" && d=$d,kfence
	grep -q '^CONFIG_PROVE_LOCKING=y' "$c" && d=$d,lockdep
	grep -q '^CONFIG_DEBUG_KMEMLEAK=y' "$c" && d=$d,kmemleak
	grep -q '^CONFIG_KCSAN=y' "$c" && d=$d,kcsan
	echo "${d#,}"
}

# The first line of each report in a serial log, once each.
reports() {
	sed -n '/^XYZ-DMESG-BEGIN/,/^XYZ-DMESG-END/p;/^XYZ-KMEMLEAK-BEGIN/,/^XYZ-KMEMLEAK-END/p;/^\[ *[0-9]*\.[0-9]*\]/p' "$1" |
		grep -v 'WARNING: The mand mount option' |
		grep -E 'BUG:|WARNING:|Oops|Kernel panic|general protection fault|blocked for more than|UBSAN:|unreferenced object|suspected memory leak' |
		sed 's/^\[ *[0-9]*\.[0-9]*\] //; s/^\[ *T[0-9]*\] //' | awk '!seen[$0]++'
}

n=0 pass=0 fail=0 skip=0
tap() {	# tap ok|"not ok" DESCRIPTION
	n=$((n + 1))
	echo "$1 $n $2"
	case "$1 $2" in
	*"# SKIP"*) skip=$((skip + 1)) ;;
	"ok "*) pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
}

echo "TAP version 13"
echo "# XYZ_SOAK_SEED=$XYZ_SOAK_SEED, soak calls $XYZ_SOAK_CALLS, QEMU $qemu_version${qemu_dir:+ ($qemu_dir)}, accel tcg,thread=multi -smp 2, ${XYZ_VM_MEM} MiB"
start=$SECONDS
i=0
for name in "$@"; do
	line=${paths[$i]}
	i=$((i + 1))
	vmlinuz=${line#vmlinuz=} vmlinuz=${vmlinuz%% kdir=*} kdir=${line##* kdir=}
	kver=$(cat "$kdir/include/config/kernel.release")
	echo "# $name: $kver, $vmlinuz"
	for step in $steps; do
		serial=$XYZ_BUILD/$kver/sanitize-$step.log
		err=$XYZ_BUILD/$kver/sanitize-$step.err
		mkdir -p "$XYZ_BUILD/$kver"
		t0=$SECONDS
		XYZ_SERIAL_LOG=$serial "$XYZ_TOP/scripts/vm-run.sh" --"$step" \
			--kdir "$kdir" --kernel "$vmlinuz" >"$XYZ_BUILD/$kver/sanitize-$step.out" 2>"$err"
		# the boot's own results, renumbered into this stream
		while IFS= read -r r; do
			r=${r#\[*\] }
			case "$r" in
			"not ok "*) tap "not ok" "$name $step: $(cut -d' ' -f4- <<<"$r")" ;;
			"ok "*) tap ok "$name $step: $(cut -d' ' -f3- <<<"$r")" ;;
			esac
		done < <(grep -E '^\[[^]]*\] (ok|not ok) [0-9]' "$XYZ_BUILD/$kver/sanitize-$step.out")
		# the vCPUs and the detectors the boot really had
		booted=$(grep -m1 '^XYZ-BOOTED' "$serial" 2>/dev/null)
		want=$(detectors "$kdir")
		if [[ $booted == *" cpus=$smp detectors=$want" ]]; then
			tap ok "$name $step: $smp vCPUs online, one host thread each; running: $want"
		else
			tap "not ok" "$name $step: want $smp vCPUs and $want running, the VM said: ${booted:-nothing}"
		fi
		# and vm-run.sh's judgement of the boot: the kernel's log, the end
		problems=$(sed -n 's/^\[[^]]*\] FAILED: //p' "$err")
		if [ -z "$problems" ] && [ -s "$serial" ]; then
			tap ok "$name $step: the VM finished, no report in the kernel's log ($((SECONDS - t0)) s)"
		else
			[ -s "$serial" ] || problems=${problems:-$(tail -n 3 "$err")}
			tap "not ok" "$name $step: $(head -n 1 <<<"$problems") ($((SECONDS - t0)) s)"
			tail -n +2 <<<"$problems" | sed 's/^/# /'
		fi
		reports "$serial" 2>/dev/null | sed 's/^/# report: /'
	done
done
echo "1..$n"
echo "# make sanitize took $((SECONDS - start)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
