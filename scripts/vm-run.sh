#!/usr/bin/env bash
# Boot one of Debian's kernels in QEMU with xyz.ko and its tests, run them
# inside, and judge the run from the outside.
#
# usage: scripts/vm-run.sh [--tests|--demo|--soak|--shell] [--ko PATH] KERNEL_RELEASE
#        scripts/vm-run.sh [--tests|...] [--ko PATH] --kdir DIR [--kernel IMAGE]
#
#   --tests  (default) run selftests/xyz/xyz_modes.sh; print its TAP and one
#            line "N passed, N failed, N skipped"
#   --demo   load the module, call every door, print the comparison
#   --soak   trinity as nobody, unloaded and in every hook mode, then the
#            door tests in that mode (scripts/soak/guest.sh); TAP and one line
#            "N passed, N failed, N skipped"
#   --shell  an interactive shell in the VM
#   --run CMD  load nothing, run CMD (sh -c) in /xyz/xyz, print its output
#   --ko     boot with this xyz.ko (e.g. the one DKMS built) instead of
#            building one
#   --kdir   build the module (and the selftests' fixture) against this
#            kernel build tree instead of a matrix release's headers, and
#            boot its bzImage (x86-64) or Image (arm64): a kernel of one's
#            own, e.g. a debug kernel of scripts/sanitize/kernel.sh (whose
#            trees build in their own root, scripts/sanitize/kmake.sh; an
#            arm64 tree's root also cross-builds the user space and brings
#            busybox and trinity); KERNEL_RELEASE is then optional
#   --kernel boot this image instead of the release's (Debian's) one
#
# Fails on: zero results, any failed test, BUG/WARNING/Oops/panic/hung task,
# a sanitizer's report (KASAN, KFENCE, KCSAN, UBSAN, lockdep, kmemleak: the
# VM scans for leaks at the end where the kernel has kmemleak) in dmesg,
# a timeout (XYZ_VM_TIMEOUT seconds, default 2700) or a VM that dies. The
# serial log is kept in build/<release>/serial-<mode>.log (or $XYZ_SERIAL_LOG).
# XYZ_VM_MEM: the VM's memory in MiB (1024); XYZ_VM_CMDLINE: more kernel
# parameters; XYZ_KSFT_TIMEOUT: the kselftest runner's timeout for
# xyz_modes.sh instead of selftests/xyz/settings' (slow debug kernels).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mode=tests ko='' run_cmd='' vmlinuz='' kdir='' xroot=''
while [ $# -gt 0 ]; do
	case "$1" in
	--tests|--demo|--soak|--shell) mode=${1#--}; shift ;;
	--run) mode=run run_cmd=$2; shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	--kdir) kdir=$(cd "$2" && pwd); shift 2 ;;
	--kernel) vmlinuz=$(realpath "$2"); shift 2 ;;
	-*) xyz_die "unknown option $1" ;;
	*) break ;;
	esac
done
usage="usage: $0 [--tests|--demo|--soak|--shell] [--ko PATH] {KERNEL_RELEASE | --kdir DIR [--kernel IMAGE] [KERNEL_RELEASE]}"
# amd64: qemu-system-x86_64, everything built with the machine's compilers;
# arm64: qemu-system-aarch64, everything cross-built in the kernel's build
# root (xroot: scripts/lib.sh's xyz_build_root, or the root of a debug
# kernel's tree), busybox from there too
if [ -n "$kdir" ]; then
	[ $# -le 1 ] || xyz_die "$usage"
	kver=${1:-$(cat "$kdir/include/config/kernel.release" 2>/dev/null)} ||
		xyz_die "$kdir is no kernel build tree (no include/config/kernel.release)"
	if grep -q '^CONFIG_ARM64=y' "$kdir/.config"; then
		arch=arm64
		vmlinuz=${vmlinuz:-$kdir/arch/arm64/boot/Image}
	else
		arch=amd64
		vmlinuz=${vmlinuz:-$kdir/arch/x86/boot/bzImage}
	fi
	[ -f "$vmlinuz" ] || xyz_die "no kernel image $vmlinuz"
	# an arm64 tree's user space: cross-built in the tree's own root
	if [ "$arch" = arm64 ]; then
		xroot=$(cat "$kdir/xyz-root" 2>/dev/null) ||
			xyz_die "--kdir: an arm64 tree must be one of scripts/sanitize/kernel.sh (its root cross-builds the user space)"
	fi
else
	[ $# = 1 ] || xyz_die "$usage"
	kver=$1
	arch=$(xyz_kernel_arch "$kver")
	vmlinuz=${vmlinuz:-$(xyz_kernel_image "$kver")}
	kdir=$(xyz_kernel_headers "$kver")
	[ "$arch" = amd64 ] || xroot=${kdir%%/usr/src/*}
fi
out=$XYZ_BUILD/$kver
mkdir -p "$out"
# trinity: the machine's own (amd64), or arm64's from the root
[ "$arch" = amd64 ] || [ "$mode" != soak ] || [ -x "$xroot/usr/bin/trinity" ] ||
	xyz_die "--soak: no arm64 trinity in $xroot (the debug kernels' arm64 root has one)"

# Several runs may share this tree at once (a kernel each, the benchmarks,
# DKMS): builds take a lock, everything else is private to the run.
locked() { flock "$XYZ_BUILD/.build.lock" "$@"; }
if [ -z "$ko" ]; then
	xyz_log "building xyz.ko for $kver"
	locked "$XYZ_TOP/scripts/build-module.sh" "$kdir" "$out/kmod" >&2
	ko=$out/kmod/xyz.ko
fi
# the selftests' fixture modules, a livepatch stand-in and a second user of
# a sys_call_table slot (kbuild rebuilds them only when their source
# changed, so runs in parallel can share them)
fixture=$out/fixture/xyz_ipmodify.ko
# (a debug kernel's tree builds in its own root: scripts/sanitize/kmake.sh)
# shellcheck disable=SC2016
locked bash -c 'mkdir -p "$3" && cp -u "$1"/selftests/xyz/fixture/* "$3"/ &&
	if [ -f "$2/xyz-root" ]; then "$1/scripts/sanitize/kmake.sh" "$2" -s M="$3" modules
	else source "$1/scripts/lib.sh" && xyz_kmake "$2" -s M="$3" modules; fi' \
	_ "$XYZ_TOP" "$kdir" "$out/fixture" >&2

ksft=$(xyz_kselftest_dir)/tools/testing/selftests
xyz_log "building the selftests"
if [ "$arch" = amd64 ]; then
	sdir=$XYZ_BUILD/selftests
	mkdir -p "$sdir"
	locked make -s -C "$XYZ_TOP/selftests/xyz" KSFT_DIR="$ksft" \
		OUTPUT="$sdir" all >&2
else
	# static, by the cross compiler of the kernel's build root
	cross=$(xyz_gnu_triplet "$arch")
	sdir=$XYZ_BUILD/selftests-$arch
	mkdir -p "$sdir"
	# shellcheck disable=SC2016
	locked bash -c 'source "$1/scripts/lib.sh" && xyz_in_root "$2" make -s -C "$1/selftests/xyz" \
		CC="$3-gcc" KSFT_DIR="$4" OUTPUT="$5" all' \
		_ "$XYZ_TOP" "$xroot" "$cross" "$ksft" "$sdir" >&2
fi

run=$(mktemp -d "$out/run-$mode.XXXXXX")
trap 'rm -rf "$run"' EXIT
root=$run/initramfs
# the layout of an installed kselftest tree: /xyz/kselftest, /xyz/xyz
mkdir -p "$root"/{bin,lib/modules,xyz/xyz,xyz/kselftest,usr/bin}
if [ "$arch" = amd64 ]; then
	cp /bin/busybox "$root/bin/busybox"
else
	cp "$xroot/bin/busybox" "$root/bin/busybox"	# busybox-static:$arch
fi
cp "$ko" "$root/lib/modules/xyz.ko"
cp "$fixture" "${fixture%/*}/xyz_slot_thief.ko" "$root/lib/modules/"
cp "$ksft"/kselftest/{runner.sh,prefix.pl,ktap_helpers.sh,module.sh} "$root/xyz/kselftest/"
cp "$sdir"/xyz_* "$XYZ_TOP"/selftests/xyz/{*.sh,settings,config} \
	"$root/xyz/xyz/"
cp "$XYZ_TOP/scripts/vm/init.sh" "$root/init"
cp "$XYZ_TOP/scripts/vm/demo.sh" "$root/xyz/xyz/demo.sh"
cp "$XYZ_TOP/scripts/soak/guest.sh" "$root/xyz/xyz/soak.sh"
if [ "$mode" = soak ] && [ "$arch" = amd64 ]; then
	# Debian's trinity is linked dynamically: bring its libc and loader
	trinity=$(command -v trinity) || xyz_die "no trinity (scripts/install-deps.sh)"
	mkdir -p "$root/usr/bin" && cp "$trinity" "$root/usr/bin/trinity"
	for lib in $(ldd "$trinity" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
	done
elif [ "$mode" = soak ]; then
	# trinity:arm64 of the root, whose loader and libraries (libc only)
	# the machine's ldd cannot list: the ELF's own interpreter and
	# NEEDED entries, from the root's multiarch directory
	trinity=$xroot/usr/bin/trinity
	cp "$trinity" "$root/usr/bin/trinity"
	lib=$(readelf -l "$trinity" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
	mkdir -p "$root${lib%/*}" "$root/lib/$cross"
	cp -L "$xroot/usr/lib/$cross/${lib##*/}" "$root$lib"
	for lib in $(readelf -d "$trinity" | sed -n 's/.*Shared library: \[\(.*\)\]$/\1/p'); do
		cp -L "$xroot/usr/lib/$cross/$lib" "$root/lib/$cross/$lib"
	done
fi
printf '%s\n' "$run_cmd" >"$root/xyz/xyz/run.sh"
# the selftests' knobs reach the VM through a file /init sources
for v in XYZ_FUZZ_SECONDS XYZ_FUZZ_SEED XYZ_STRESS_SECONDS XYZ_MODES_QUICK \
	XYZ_SOAK_SEED XYZ_SOAK_CALLS XYZ_SOAK_MODES XYZ_KSFT_TIMEOUT; do
	[ -z "${!v:-}" ] || printf 'export %s=%q\n' "$v" "${!v}"
done >"$root/xyz/env"
xyz_log "building the xyz tools (static)"
if [ "$arch" = amd64 ]; then
	locked make -s -C "$XYZ_TOP/userspace" vm-install DESTDIR="$root" >&2
else
	# liburing-dev:$arch is in the root, without a cross pkg-config
	# shellcheck disable=SC2016
	locked bash -c 'source "$1/scripts/lib.sh" && xyz_in_root "$2" make -s -C "$1/userspace" \
		CC="$3-gcc" AR="$3-ar" O="$4" URING=1 URING_CFLAGS= URING_LIBS=-luring \
		vm-install DESTDIR="$5"' \
		_ "$XYZ_TOP" "$xroot" "$cross" "$XYZ_BUILD/userspace-$arch" "$root" >&2
fi
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$run/initramfs.gz"

# KVM when this machine really has it, else TCG with one host thread: the
# multi-threaded TCG of QEMU before 8.1 (Debian 12 has 7.2) executes stale
# int3s of live-patched kernel text on the other vCPU (see docs/testing.md).
# XYZ_ACCEL=tcg-multi (one host thread per vCPU) is for make bench's scaling
# boot, where the module is loaded before any thread starts (no text is
# patched while the other vCPU runs), and for make sanitize, where two vCPUs
# must really race (under a newer QEMU: scripts/sanitize/qemu.sh).
if [ -z "${XYZ_ACCEL:-}" ]; then
	if [ "$arch" = amd64 ] && [ -w /dev/kvm ] &&
	   grep -qE '\b(vmx|svm)\b' /proc/cpuinfo; then
		XYZ_ACCEL=kvm
	else
		XYZ_ACCEL=tcg
	fi
fi
# (QEMU's own commas: one word each)
# shellcheck disable=SC2054
case "$arch:$XYZ_ACCEL" in
amd64:kvm) accel=(-accel kvm -cpu host) ;;
amd64:tcg-multi) accel=(-accel tcg,thread=multi -cpu max) ;;
amd64:*) accel=(-accel tcg,thread=single -cpu max) ;;
# -cpu max emulates pointer authentication with the architected QARMA
# cipher, which costs TCG dearly on every signed return (the kernel signs
# them all); pauth-impdef=on keeps the feature with QEMU's cheap
# implementation-defined algorithm: same instructions, same checks. Boot,
# insmod and 34 door tests: 11 s against 20 s with plain -cpu max (measured).
arm64:tcg-multi) accel=(-M virt -accel tcg,thread=multi -cpu max,pauth-impdef=on) ;;
arm64:*) accel=(-M virt -accel tcg,thread=single -cpu max,pauth-impdef=on) ;;
esac
case "$arch" in
amd64) qemu_bin=qemu-system-x86_64 console=ttyS0 ;;
arm64) qemu_bin=qemu-system-aarch64 console=ttyAMA0 ;;
*) xyz_die "no test VM for $arch" ;;
esac

log=${XYZ_SERIAL_LOG:-$out/serial-$mode.log}
# no_timer_check: under TCG on a busy host the boot-time IO-APIC timer test
# can miss its ticks and panic ("IO-APIC + timer doesn't work!") before any
# test runs; the check proves nothing about the module. The soft-lockup and
# RCU-stall watchdogs count guest time, which runs on while a busy host
# leaves QEMU's one TCG thread waiting: their thresholds go from 20 s and
# 21 s to 120 s, so that a stalled emulator is not reported as a stalled
# kernel (the VM fails on their BUG:/stall reports).
cmdline="console=$console panic=-1 oops=panic panic_on_warn=1 quiet xyz.mode=$mode"
cmdline="$cmdline watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=120"
cmdline="$cmdline${XYZ_VM_CMDLINE:+ $XYZ_VM_CMDLINE}"
[ "$arch" != amd64 ] || cmdline="$cmdline no_timer_check"
# XYZ_VM_SMP and XYZ_QEMU_ARGS (split on blanks): scripts/trace/run.sh boots
# one vCPU with its QEMU plugin
# shellcheck disable=SC2206
qemu=("$qemu_bin" "${accel[@]}" -smp "${XYZ_VM_SMP:-2}" -m "${XYZ_VM_MEM:-1024}" -no-reboot
      -display none -monitor none -kernel "$vmlinuz"
      -initrd "$run/initramfs.gz" -append "$cmdline" ${XYZ_QEMU_ARGS:-})
xyz_log "booting $kver ($XYZ_ACCEL, $vmlinuz), serial log: $log"

if [ "$mode" = shell ]; then
	"${qemu[@]}" -serial mon:stdio
	exit
fi

start=$(date +%s)
set +e
timeout "${XYZ_VM_TIMEOUT:-2700}" "${qemu[@]}" -serial stdio </dev/null |
	tr -d '\r' | tee "$log" |
	if [ "$mode" = demo ] || [ "$mode" = run ]; then
		sed -n '/^XYZ-BOOTED/,/^XYZ-DMESG-BEGIN/{/^XYZ-/d;/^\[ *[0-9]/d;p}'
	else
		grep --line-buffered -E '^(# )?(ok|not ok) [0-9]' |
			sed -u 's/^# //' | sed "s/^/[$kver] /"
	fi
qemu_rc=${PIPESTATUS[0]}
set -e
secs=$(($(date +%s) - start))

problems=()
[ "$qemu_rc" = 124 ] && problems+=("timed out after ${XYZ_VM_TIMEOUT:-2700}s")
grep -q '^XYZ-DONE' "$log" || problems+=("the VM died before the tests ended")
# the kernel's own lines: the dmesg dump, kmemleak's list, and console
# lines with a timestamp (minus a banner that says WARNING: but is a
# pr_warn_once, not a WARN(): a mount with MS_MANDLOCK, which trinity tries,
# prints it on 6.1 and 6.12). The sanitizers' reports: KASAN, KFENCE, KCSAN,
# sleeping in atomic context say BUG:, lockdep and debugobjects WARNING:;
# UBSAN and kmemleak say neither.
if sed -n '/^XYZ-DMESG-BEGIN/,/^XYZ-DMESG-END/p;/^XYZ-KMEMLEAK-BEGIN/,/^XYZ-KMEMLEAK-END/p;/^\[ *[0-9]*\.[0-9]*\]/p' "$log" |
	grep -v 'WARNING: The mand mount option' |
	grep -E 'BUG:|WARNING:|Oops|Kernel panic|general protection fault|Call Trace|blocked for more than|UBSAN:|unreferenced object|suspected memory leak' >&2; then
	problems+=("the kernel logged a BUG/WARNING/Oops/panic/hung task or a sanitizer's report")
fi

pass=0 fail=0 skip=0
if [ "$mode" = tests ]; then
	# the results of xyz_modes.sh, one level down in the runner's TAP
	pass=$(grep -E '^# ok [0-9]' "$log" | grep -vc '# SKIP' || true)
	skip=$(grep -E '^# (ok|not ok) [0-9].*# SKIP' "$log" | grep -c . || true)
	fail=$(grep -E '^# not ok [0-9]' "$log" | grep -vc '# SKIP' || true)
	[ $((pass + fail + skip)) -gt 0 ] || problems+=("no test results")
	if grep -E '^not ok [0-9]+ selftests:' "$log" >&2 && [ "$fail" = 0 ]; then
		problems+=("the kselftest runner reported a failure")
	fi
elif [ "$mode" = soak ]; then
	# soak/guest.sh's TAP, top level
	pass=$(grep -E '^ok [0-9]' "$log" | grep -vc '# SKIP' || true)
	skip=$(grep -E '^(ok|not ok) [0-9].*# SKIP' "$log" | grep -c . || true)
	fail=$(grep -E '^not ok [0-9]' "$log" | grep -vc '# SKIP' || true)
	[ $((pass + fail + skip)) -gt 0 ] || problems+=("no test results")
	rc=$(sed -n 's/^XYZ-DONE rc=//p' "$log")
	[ "${rc:-1}" = 0 ] || [ "$fail" -gt 0 ] ||
		problems+=("the soak exited with status ${rc:-?}")
else
	rc=$(sed -n 's/^XYZ-DONE rc=//p' "$log")
	[ "${rc:-1}" = 0 ] || problems+=("the $mode exited with status ${rc:-?}")
fi

for p in "${problems[@]}"; do
	echo "[$kver] FAILED: $p (serial log: $log)" >&2
	fail=$((fail + 1))
done
if [ "$mode" = tests ] || [ "$mode" = soak ]; then
	echo "[$kver] $pass passed, $fail failed, $skip skipped in ${secs}s"
fi
[ "$fail" = 0 ]
