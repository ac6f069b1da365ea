#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every hook mode x every door, the refusals, and load/unload under load.
# Loads and unloads the module itself: XYZ_KO is a path to xyz.ko or a module
# name for modprobe (default "xyz"). Needs root.
#
# XYZ_LIBXYZ_TESTS, when set, is a directory with libxyz's door tests
# (libxyz_doors, libxyz_doors_32) to run in every mode as well.
# XYZ_STRESS_SECONDS (default 8) bounds each load/unload stress round,
# XYZ_FUZZ_SECONDS (default 4) each fuzz round; XYZ_FUZZ_SEED repeats one.

cd "$(dirname "$0")" || exit 1
. ./xyz_lib.sh

KSFT_SKIP=4
STRESS_SECONDS=${XYZ_STRESS_SECONDS:-8}
FUZZ_SECONDS=${XYZ_FUZZ_SECONDS:-4}
FUZZ_SEED=${XYZ_FUZZ_SEED:-$(date +%s)}

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root to load the module"
	exit $KSFT_SKIP
fi
echo "TAP version 13"
[ -d /sys/module/xyz ] && xyz_unload
dmesg -c >/dev/null 2>&1

params_are() {
	[ "$(xyz_param hook)" = "$1" ] && [ "$(xyz_param nr)" = "$2" ] &&
		[ "$(xyz_param compat_nr)" = "$3" ]
}

for mode in direct ftrace kprobe; do
	if ! xyz_load hook=$mode; then
		tap_result "not ok" "hook=$mode: load"
		continue
	fi
	check "hook=$mode: sysfs reads hook=$mode nr=400 compat_nr=223" \
		params_are $mode 400 223
	run_prog "hook=$mode 64-bit" ./xyz_doors_test
	run_prog "hook=$mode 32-bit" ./xyz_doors_test_32
	run_prog "hook=$mode" ./xyz_counters_test
	run_prog "hook=$mode uring 64-bit" ./xyz_uring_test
	run_prog "hook=$mode uring 32-bit" ./xyz_uring_test_32
	if [ -n "${XYZ_LIBXYZ_TESTS:-}" ]; then
		run_prog "hook=$mode libxyz 64-bit" "$XYZ_LIBXYZ_TESTS/libxyz_doors"
		run_prog "hook=$mode libxyz 32-bit" "$XYZ_LIBXYZ_TESTS/libxyz_doors_32"
	fi
	run_prog "hook=$mode 64-bit" ./xyz_fuzz "$FUZZ_SECONDS" 4 "$FUZZ_SEED"
	run_prog "hook=$mode 32-bit" ./xyz_fuzz_32 "$FUZZ_SECONDS" 2 "$FUZZ_SEED"
	check "hook=$mode: unload" xyz_unload
done

# auto picks a mechanism that routes, and says which
xyz_load hook=auto
check "hook=auto: reads the mechanism in effect ($(xyz_param hook))" \
	test "$(xyz_param hook)" = direct -o "$(xyz_param hook)" = ftrace \
	-o "$(xyz_param hook)" = kprobe
run_prog "hook=auto 64-bit" ./xyz_doors_test -v glibc_syscall -v int80
check "hook=auto: unload" xyz_unload

# hook=none: the ioctl door only, the numbers are ENOSYS again
xyz_load hook=none
check "hook=none: sysfs reads hook=none nr=-1 compat_nr=-1" \
	params_are none -1 -1
run_prog "hook=none 64-bit" ./xyz_doors_test -v ioctl -v uring
run_prog "hook=none 32-bit" ./xyz_doors_test_32 -v ioctl -v uring
run_prog "hook=none" ./xyz_unhooked_test
check "hook=none: unload" xyz_unload

# libxyz and the xyz command say why when io_uring is disabled by sysctl
uring_disabled_hint() {
	old=$(cat /proc/sys/kernel/io_uring_disabled)
	echo 2 >/proc/sys/kernel/io_uring_disabled
	out=$(xyz call --door uring nop 2>&1)
	rc=$?
	echo "$old" >/proc/sys/kernel/io_uring_disabled
	echo "$out" | sed 's/^/# /'
	[ $rc = 1 ] && echo "$out" | grep -q "hint: io_uring is disabled (sysctl kernel.io_uring_disabled=2)"
}
if [ -n "${XYZ_LIBXYZ_TESTS:-}" ] && command -v xyz >/dev/null; then
	xyz_load hook=none
	if [ -e /proc/sys/kernel/io_uring_disabled ]; then
		check "io_uring disabled: xyz call --door uring fails with the sysctl in its hint" \
			uring_disabled_hint
	else
		tap_result ok "io_uring disabled: # SKIP no kernel.io_uring_disabled before 6.6"
	fi
	xyz_unload
fi

# a ring holding /dev/xyz keeps the module; closed with calls in flight, not
xyz_load hook=none
run_prog "hook=none uring" ./xyz_uring_unload
check "nothing loaded after the ring was closed" test ! -d /sys/module/xyz
[ -d /sys/module/xyz ] && xyz_unload

# one ABI only
xyz_load hook=kprobe nr=-1
check "nr=-1: only the compat number is hooked" params_are kprobe -1 223
run_prog "nr=-1 32-bit" ./xyz_doors_test_32 -v int80
xyz_unload

# refusals: the load fails, with a reason in dmesg
refuses() {
	want=$1
	shift
	dmesg -c >/dev/null
	if xyz_load "$@" 2>/dev/null; then
		xyz_unload
		return 1
	fi
	dmesg | grep -q "$want"
}
check "hook=table refuses: the kernel does not dispatch through the table" \
	refuses "hook=table: this kernel dispatches system calls through x64_sys_call()" hook=table
check "hook=bogus refuses" refuses "hook=bogus: expected" hook=bogus
check "nr=39 refuses: sys_getpid owns it (EBUSY)" \
	refuses "nr=39 belongs to sys_getpid" nr=39
check "compat_nr=20 refuses: the ia32 getpid owns it (EBUSY)" \
	refuses "compat_nr=20 belongs to sys_getpid" compat_nr=20
check "nr=100000 refuses: outside the table (EINVAL)" \
	refuses "nr=100000 is outside" nr=100000
check "nothing left loaded after the refusals" test ! -d /sys/module/xyz

# load/unload cycles
cycles() {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		xyz_load hook=$1 && xyz_unload || return 1
	done
}
for mode in direct ftrace kprobe none; do
	check "hook=$mode: 10 load/unload cycles" cycles $mode
done

# load/unload while every door is being called from several threads
stress() {
	mode=$1
	./xyz_stress "$STRESS_SECONDS" 2 >/tmp/xyz_stress64.out 2>&1 &
	p64=$!
	./xyz_stress_32 "$STRESS_SECONDS" 1 >/tmp/xyz_stress32.out 2>&1 &
	p32=$!
	loads=0
	end=$(($(date +%s) + STRESS_SECONDS - 1))
	while [ "$(date +%s)" -lt "$end" ]; do
		xyz_load hook=$mode || break
		sleep 0.2
		xyz_unload || break
		loads=$((loads + 1))
		sleep 0.1
	done
	wait $p64
	rc64=$?
	wait $p32
	rc32=$?
	sed 's/^/# /' /tmp/xyz_stress64.out /tmp/xyz_stress32.out
	echo "# $loads load/unload cycles"
	[ -d /sys/module/xyz ] && xyz_unload
	[ $rc64 = 0 ] && [ $rc32 = 0 ] && [ $loads -ge 3 ]
}
for mode in direct ftrace kprobe; do
	check "hook=$mode: load/unload under load, every call right or ENOSYS" \
		stress $mode
done

check "no BUG, WARNING or Oops in dmesg" \
	sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops|general protection|Call Trace"'

tap_plan_end
