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
if [ ! -f "$XYZ_KO" ] && [ ! -d /sys/module/xyz ] &&
   ! modinfo "$XYZ_KO" >/dev/null 2>&1; then
	echo "1..0 # SKIP no xyz module to load: build it (make), install it" \
		"(make modules_install, DKMS) or set XYZ_KO=/path/to/xyz.ko"
	exit $KSFT_SKIP
fi
# private scratch files: two runs at once must not collide
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "TAP version 13"
[ -d /sys/module/xyz ] && xyz_unload
dmesg -c >/dev/null 2>&1

# What this kernel can do (docs/hooks.md), from the kernel's own lists:
# - x64_sys_call() (the Branch History Injection fix) that ftrace can attach
#   to (6.1, 6.12): direct, ftrace and kprobe route; table must refuse;
# - x64_sys_call() without an ftrace site (7.2): kprobe routes, and direct
#   does where the "no such system call" stub has an ftrace site instead
#   (7.2 lists it as __do_sys_ni_syscall: found by address, not by name);
#   ftrace and table must refuse;
# - no x64_sys_call() (Debian's 5.10 calls through sys_call_table): table
#   and kprobe route; direct and ftrace must refuse.
# - arm64: invoke_syscall() calls through sys_call_table: table (auto's
#   pick), kprobe (on __arm64_sys_ni_syscall) and, where ftrace can attach
#   to invoke_syscall(), ftrace route; direct must refuse (no trampoline).
#   There is no compat door (no int $0x80): compat_nr reads -1 in every mode.
# - tracepoint, wherever the sys_enter tracepoint exists and the entry code
#   re-reads a number its probe changed: arm64's always has; x86's from
#   6.1's backport of "entry: Respect changes to system call number by
#   trace_sys_enter()" on, which 5.10's lacks (measured: the module refuses
#   there, by the same rule; docs/hooks.md).
# auto must pick the first that routes.
tracing=/sys/kernel/tracing
[ -r $tracing/available_filter_functions ] ||
	mount -t tracefs nodev $tracing 2>/dev/null
# The name under which ftrace lists the function at the address of symbol
# $1, if it has an ftrace site: a function may have several names.
ftrace_name_at() {
	addr=$(awk -v s="$1" '$3 == s { print $1; exit }' /proc/kallsyms)
	[ -n "$addr" ] || return 1
	for name in $(awk -v a="$addr" '$1 == a { print $3 }' /proc/kallsyms); do
		if grep -qE "^$name( |\$)" $tracing/available_filter_functions; then
			echo "$name"
			return 0
		fi
	done
	return 1
}
compat=223 getpid_nr=39
if [ "$(uname -m)" = aarch64 ]; then
	dispatch=arm64-table routing="table kprobe" refusing=direct
	if grep -qE '^invoke_syscall( |$)' $tracing/available_filter_functions; then
		routing="$routing ftrace"
	else
		refusing="$refusing ftrace"
	fi
	compat=-1 getpid_nr=172	# asm-generic's getpid
elif ! grep -q ' x64_sys_call$' /proc/kallsyms; then
	dispatch=table routing="table kprobe" refusing="direct ftrace"
elif grep -qE '^x64_sys_call( |$)' $tracing/available_filter_functions; then
	dispatch=switch routing="direct ftrace kprobe" refusing=table
elif ftrace_name_at __x64_sys_ni_syscall >/dev/null; then
	dispatch=untraceable-switch routing="direct kprobe" refusing="ftrace table"
else
	dispatch=untraceable-switch routing=kprobe refusing="direct ftrace table"
fi
kmajor=$(uname -r | cut -d. -f1) kminor=$(uname -r | cut -d. -f2)
if [ ! -d $tracing/events/raw_syscalls/sys_enter ]; then
	refusing="$refusing tracepoint" tp_why="no sys_enter tracepoint"
elif [ "$dispatch" != arm64-table ] &&
     [ $((kmajor * 1000 + kminor)) -lt 6001 ]; then
	refusing="$refusing tracepoint" tp_why="this kernel's entry code does not re-read"
else
	routing="$routing tracepoint"
fi
echo "# $(uname -r): dispatch: $dispatch; routing: $routing; refusing: $refusing"

params_are() {
	[ "$(xyz_param hook)" = "$1" ] && [ "$(xyz_param nr)" = "$2" ] &&
		[ "$(xyz_param compat_nr)" = "$3" ]
}

# The hello programs of docs/syscall-path.md (docs/lesson/): each must print
# what sys_xyz answered through its door (1 syscall, 2 int $0x80); when the
# numbers are not hooked, the assembly ones exit with ENOSYS (38) and the C
# one, which reads nr from sysfs, with 1. They are built only in the xyz
# repository, the assembly ones only for x86.
hello() { # LABEL PROGRAM DOOR|ENOSYS
	if [ ! -x "$2" ]; then
		case "$(uname -m):$2" in
		aarch64:*_int80*) why=$XYZ_NO_COMPAT ;;
		aarch64:*) why="x86 assembly: nothing to run on arm64" ;;
		*) why="not built (selftests built outside the xyz repository)" ;;
		esac
		tap_result ok "$1: ${2#./} # SKIP $why"
		return
	fi
	out=$("$2" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	if [ "$3" = ENOSYS ] && [ "$2" = ./xyz_hello ]; then
		check "$1: ${2#./} says nr is not hooked" test "$rc" = 1
	elif [ "$3" = ENOSYS ]; then
		check "$1: ${2#./} fails with ENOSYS (exit status 38)" test "$rc" = 38
	else
		check "$1: ${2#./} prints the echo and door $3" test "$rc" = 0 -a \
			"$(echo "$out" | sed -n '1,2p')" = "$(printf 'sys_xyz echoed: hello\nsys_xyz says: door %s' "$3")"
	fi
}
hellos() { # LABEL DOOR-OF-SYSCALL DOOR-OF-INT80 (or ENOSYS ENOSYS)
	hello "$1" ./xyz_hello "$2"
	hello "$1" ./xyz_hello_syscall "$2"
	hello "$1 64-bit" ./xyz_hello_int80 "$3"
	hello "$1 32-bit" ./xyz_hello_int80_32 "$3"
}

# XYZ_MODES_QUICK=1: a module whose source the full run has already
# tested on this kernel, built another way (by DKMS, by a package): the
# door tests in the mode auto picks, and nothing else
[ -z "${XYZ_MODES_QUICK:-}" ] || routing=${routing%% *}

for mode in $routing; do
	if ! xyz_load hook=$mode; then
		tap_result "not ok" "hook=$mode: load"
		continue
	fi
	check "hook=$mode: sysfs reads hook=$mode nr=400 compat_nr=$compat" \
		params_are $mode 400 $compat
	run_prog "hook=$mode 64-bit" ./xyz_doors_test
	run_prog "hook=$mode 32-bit" ./xyz_doors_test_32
	run_prog "hook=$mode" ./xyz_counters_test
	run_prog "hook=$mode mmap 64-bit" ./xyz_mmap_test
	run_prog "hook=$mode mmap 32-bit" ./xyz_mmap_test_32
	run_prog "hook=$mode uring 64-bit" ./xyz_uring_test
	run_prog "hook=$mode uring 32-bit" ./xyz_uring_test_32
	if [ -n "${XYZ_LIBXYZ_TESTS:-}" ]; then
		run_prog "hook=$mode libxyz 64-bit" "$XYZ_LIBXYZ_TESTS/libxyz_doors"
		run_prog "hook=$mode libxyz 32-bit" "$XYZ_LIBXYZ_TESTS/libxyz_doors_32"
	fi
	hellos "hook=$mode" 1 2
	run_prog "hook=$mode 64-bit" ./xyz_fuzz "$FUZZ_SECONDS" 4 "$FUZZ_SEED"
	run_prog "hook=$mode 32-bit" ./xyz_fuzz_32 "$FUZZ_SECONDS" 2 "$FUZZ_SEED"
	check "hook=$mode: unload" xyz_unload
	run_prog "hook=$mode unloaded" ./xyz_unhooked_test
done

if [ -n "${XYZ_MODES_QUICK:-}" ]; then
	check "no BUG, WARNING or Oops in dmesg" \
		sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops|general protection|Call Trace"'
	tap_plan_end
	exit
fi

# auto picks a mechanism that routes, and says which
xyz_load hook=auto
check "hook=auto: picks ${routing%% *}, the best that routes here ($(xyz_param hook))" \
	test "$(xyz_param hook)" = "${routing%% *}"
run_prog "hook=auto 64-bit" ./xyz_doors_test -v glibc_syscall -v int80
check "hook=auto: unload" xyz_unload

# hook=none: the ioctl door only, the numbers are ENOSYS again
xyz_load hook=none
check "hook=none: sysfs reads hook=none nr=-1 compat_nr=-1" \
	params_are none -1 -1
run_prog "hook=none 64-bit" ./xyz_doors_test -v ioctl -v uring
run_prog "hook=none 32-bit" ./xyz_doors_test_32 -v ioctl -v uring
run_prog "hook=none" ./xyz_unhooked_test
run_prog "hook=none mmap 64-bit" ./xyz_mmap_test
run_prog "hook=none mmap 32-bit" ./xyz_mmap_test_32
hellos "hook=none" ENOSYS ENOSYS
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
if grep -q ' io_uring_cmd$' /proc/kallsyms; then	# 5.19 and later
	check "nothing loaded after the ring was closed" test ! -d /sys/module/xyz
fi
[ -d /sys/module/xyz ] && xyz_unload

# one ABI only
if [ "$compat" = -1 ]; then
	tap_result ok "nr=-1: only the compat number is hooked # SKIP $XYZ_NO_COMPAT"
else
	xyz_load hook=kprobe nr=-1
	check "nr=-1: only the compat number is hooked" params_are kprobe -1 223
	run_prog "nr=-1 32-bit" ./xyz_doors_test_32 -v int80
	run_prog "nr=-1 mmap" ./xyz_mmap_test -t equals_info
	xyz_unload
fi

# a mapping of the shared page pins the module; after munmap it unloads
xyz_load hook=auto
run_prog "mmap" ./xyz_mmap_unload_test
check "mmap: nothing loaded after munmap and rmmod" test ! -d /sys/module/xyz
[ -d /sys/module/xyz ] && xyz_unload

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
for mode in $refusing; do
	case $mode:$dispatch in
	tracepoint:*) why="hook=tracepoint: $tp_why" ;;
	direct:arm64-table) why="hook=direct: no trampoline for invoke_syscall() on this architecture" ;;
	*:arm64-table) why="hook=$mode: invoke_syscall() is not" ;;
	table:*) why="hook=table: this kernel dispatches system calls through x64_sys_call()" ;;
	*:table) why="hook=$mode: x64_sys_call() is not in this kernel" ;;
	*) why="hook=$mode: x64_sys_call() is not ftrace-able on this kernel" ;;
	esac
	check "hook=$mode refuses: $why" refuses "$why" hook=$mode
done
check "hook=bogus refuses" refuses "hook=bogus: expected" hook=bogus
check "nr=$getpid_nr refuses: sys_getpid owns it (EBUSY)" \
	refuses "nr=$getpid_nr belongs to .*sys_getpid" nr=$getpid_nr
if [ "$compat" = -1 ]; then
	tap_result ok "compat_nr=20 refuses: the ia32 getpid owns it # SKIP $XYZ_NO_COMPAT"
else
	check "compat_nr=20 refuses: the ia32 getpid owns it (EBUSY)" \
		refuses "compat_nr=20 belongs to sys_getpid" compat_nr=20
fi
check "nr=100000 refuses: outside the table (EINVAL)" \
	refuses "nr=100000 is outside" nr=100000
check "hook=direct,bogus refuses" refuses "hook=direct,bogus: expected" hook=direct,bogus
check "hook=direct, refuses (a list ends with a name)" refuses "hook=direct,: expected" hook=direct,
check "nothing left loaded after the refusals" test ! -d /sys/module/xyz

# A list is tried in order: a mechanism that cannot route here falls
# through to the next; "none" at the end loads without a hook, as auto does
# on a kernel where nothing routes (a kernel outside the matrix). The doors
# that need no hook still work, the numbers are ENOSYS, and dmesg says why
# each mechanism tried was refused.
refused=${refusing%% *} best=${routing%% *}
xyz_load hook=$refused,$best
check "hook=$refused,$best: $refused cannot route here, $best does" params_are $best 400 $compat
run_prog "hook=$refused,$best 64-bit" ./xyz_doors_test -v glibc_syscall
check "hook=$refused,$best: unload" xyz_unload
dmesg -c >/dev/null
xyz_load hook=$refused,none
check "hook=$refused,none: loads without a hook (sysfs reads hook=none nr=-1 compat_nr=-1)" \
	params_are none -1 -1
check "hook=$refused,none: dmesg says why $refused was refused, and that no hook is in effect" \
	sh -c "dmesg | grep -q 'hook=$refused: ' && dmesg | grep -q 'hook=$refused,none: no mechanism routes'"
run_prog "hook=$refused,none 64-bit" ./xyz_doors_test -v ioctl -v uring
run_prog "hook=$refused,none" ./xyz_unhooked_test
check "hook=$refused,none: unload" xyz_unload

# A caller asleep in sys_xyz (on a userfaultfd page) holds the module:
# rmmod is refused at once instead of hanging until the page comes; so does
# a NOP whose very struct is on such a page.
for mode in $routing; do
	for what in unload unload-nop; do
		xyz_load hook=$mode
		run_prog "hook=$mode sleeper $what" ./xyz_sleeper_test $what
		[ -d /sys/module/xyz ] && xyz_unload
	done
done
# A call that gets in once rmmod has begun fails with ENOSYS instead of
# sleeping on the page: rmmod never waits for user memory.
for mode in $routing; do
	if [ -f "$XYZ_KO" ]; then
		run_prog "hook=$mode rmmod race" ./xyz_sleeper_test rmmod-race \
			"$XYZ_KO" hook=$mode
	else
		tap_result ok "hook=$mode rmmod race # SKIP XYZ_KO is not a file"
	fi
	[ -d /sys/module/xyz ] && xyz_unload
done

# hook=table puts the saved entry back only over its own: a slot someone
# swapped after it (the fixture xyz_slot_thief.ko) is left to them.
thief_ko=${XYZ_SLOT_THIEF_KO:-${XYZ_IPMODIFY_KO:+${XYZ_IPMODIFY_KO%/*}/xyz_slot_thief.ko}}
slot_left_to_thief() {
	table=$(awk '$3 == "sys_call_table" { print $1; exit }' /proc/kallsyms)
	stub=$(awk '$3 ~ /^__(x64|arm64)_sys_ni_syscall$/ { print $1; exit }' /proc/kallsyms)
	[ -n "$table" ] && [ -n "$stub" ] || return 1
	xyz_load hook=table compat_nr=-1 || return 1
	if ! insmod "$thief_ko" table=0x$table nr=400 restore=0x$stub; then
		xyz_unload
		return 1
	fi
	dmesg -c >/dev/null
	xyz_unload || return 1
	dmesg | sed 's/^/# /'
	./xyz_unhooked_test >/dev/null 2>&1
	hits=$(cat /sys/module/xyz_slot_thief/parameters/hits)
	rmmod xyz_slot_thief || return 1
	echo "# the slot's new owner saw $hits calls after xyz left"
	[ "$hits" -gt 0 ] && dmesg | grep -q "no longer our entry"
}
case $dispatch in
*table)
	if [ -f "$thief_ko" ]; then
		check "hook=table: a slot swapped after ours is left to its new owner" \
			slot_left_to_thief
	else
		tap_result ok "hook=table: a slot swapped after ours # SKIP no fixture module (XYZ_SLOT_THIEF_KO)"
	fi
	;;
esac

# Sharing the dispatchers. The fixture xyz_ipmodify.ko holds a function with
# an IPMODIFY ftrace_ops, as a livepatch does (docs/hooks.md).
ipmodify_ko=${XYZ_IPMODIFY_KO:-}
ipmodify_func=x64_sys_call
ipmodify_load() {
	dmesg -c >/dev/null
	insmod "$ipmodify_ko" func=$ipmodify_func "$@"
}
ipmodify_hits() {
	cat /sys/module/xyz_ipmodify/parameters/hits
}
# direct and kprobe share x64_sys_call with a livepatch, in either order;
# ftrace cannot (one IPMODIFY user per function) and says so
coexist() {
	mode=$1 order=$2
	if [ "$order" = xyz-first ]; then
		xyz_load hook=$mode && ipmodify_load || return 1
	else
		ipmodify_load && xyz_load hook=$mode || return 1
	fi
	before=$(ipmodify_hits)
	./xyz_doors_test -v glibc_syscall -v int80 > "$scratch/coexist.out" 2>&1
	rc=$?
	grep -E '^(not ok|# FAIL)' "$scratch/coexist.out" | sed 's/^/# /'
	[ "$(ipmodify_hits)" -gt "$before" ] || rc=1
	xyz_unload && rmmod xyz_ipmodify && [ $rc = 0 ]
}
ftrace_refused() {
	order=$1
	if [ "$order" = xyz-first ]; then
		xyz_load hook=ftrace || return 1
		ipmodify_load 2>/dev/null && { rmmod xyz_ipmodify; xyz_unload; return 1; }
		xyz_unload
	else
		ipmodify_load || return 1
		xyz_load hook=ftrace 2>/dev/null && { xyz_unload; rmmod xyz_ipmodify; return 1; }
		dmesg | grep -q "already has a user that moves the instruction pointer"
		rc=$?
		rmmod xyz_ipmodify
		return $rc
	fi
}
if [ "$dispatch" = arm64-table ]; then
	tap_result ok "sharing the dispatchers # SKIP the livepatch stand-in holds x86's x64_sys_call(); sharing arm64's invoke_syscall() is not tested yet"
elif [ "$dispatch" = untraceable-switch ] && [ -f "$ipmodify_ko" ] &&
     stub=$(ftrace_name_at __x64_sys_ni_syscall); then
	# direct sits on the stub instead: a livepatch of it shares the site
	ipmodify_func=$stub
	for order in xyz-first livepatch-first; do
		check "hook=direct and a livepatch on $stub ($order): both work" \
			coexist direct $order
	done
	ipmodify_func=x64_sys_call
elif [ "$dispatch" != switch ]; then
	tap_result ok "sharing the dispatchers # SKIP no ftrace-able x64_sys_call() on this kernel: nothing to share"
elif [ -f "$ipmodify_ko" ]; then
	for order in xyz-first livepatch-first; do
		for mode in direct kprobe; do
			check "hook=$mode and a livepatch on x64_sys_call ($order): both work" \
				coexist $mode $order
		done
		check "hook=ftrace and a livepatch on x64_sys_call ($order): the second is refused" \
			ftrace_refused $order
	done
	# The second attach fails (the fixture holds ia32_sys_call) while a
	# caller already got in through the first: the failed load must wait
	# for it before freeing its text. hook=ftrace, since direct shares.
	ipmodify_func=ia32_sys_call
	if ipmodify_load; then
		run_prog "hook=ftrace failed load" ./xyz_sleeper_test \
			failed-load "$XYZ_KO" hook=ftrace
		rmmod xyz_ipmodify
	else
		tap_result "not ok" "hook=ftrace failed load: fixture on ia32_sys_call"
	fi
	ipmodify_func=x64_sys_call
else
	tap_result ok "sharing the dispatchers # SKIP no fixture module (XYZ_IPMODIFY_KO)"
fi

# hook=tracepoint shares sys_enter with every other user of it: here
# ftrace's own raw_syscalls event, enabled before the load and left enabled
tp_shared() {
	ev=$tracing/events/raw_syscalls/sys_enter/enable
	echo 1 >$ev || return 1
	xyz_load hook=tracepoint || { echo 0 >$ev; return 1; }
	./xyz_doors_test -v glibc_syscall -v int80 >"$scratch/tp.out" 2>&1
	rc=$?
	grep -E '^(not ok|# FAIL)' "$scratch/tp.out" | sed 's/^/# /'
	xyz_unload || rc=1
	[ "$(cat $ev)" = 1 ] || rc=1
	echo 0 >$ev
	[ $rc = 0 ]
}
case " $routing " in
*" tracepoint "*)
	check "hook=tracepoint and ftrace's raw_syscalls:sys_enter event: both work" \
		tp_shared ;;
esac

# load/unload cycles
cycles() {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		xyz_load hook=$1 && xyz_unload || return 1
	done
}
for mode in $routing none; do
	check "hook=$mode: 10 load/unload cycles" cycles $mode
done

# load/unload while every door is being called from several threads: for
# STRESS_SECONDS and at least 3 cycles, however slow the machine (the
# callers stop on SIGUSR1; thirty times STRESS_SECONDS is the hard limit).
# The callers hold /dev/xyz open most of the time, and rmmod is refused
# (EBUSY) then, rightly: an unload is retried until that limit, not for a
# fixed number of tries.
stress_unload() {
	while [ -d /sys/module/xyz ]; do
		rmmod xyz 2>/dev/null && return 0
		[ $(($(date +%s) - start)) -lt $((cap - 2)) ] || return 1
		sleep 0.05
	done
}
stress() {
	mode=$1
	cap=$((STRESS_SECONDS * 30))
	./xyz_stress $cap 2 >"$scratch/stress64.out" 2>&1 &
	p64=$!
	p32=
	if [ -x ./xyz_stress_32 ]; then
		./xyz_stress_32 $cap 1 >"$scratch/stress32.out" 2>&1 &
		p32=$!
	fi
	loads=0
	start=$(date +%s)
	while [ $(($(date +%s) - start)) -lt $((STRESS_SECONDS - 1)) ] ||
	      [ $loads -lt 3 ]; do
		[ $(($(date +%s) - start)) -lt $((cap - 2)) ] || break
		xyz_load hook=$mode || break
		sleep 0.2
		stress_unload || break
		loads=$((loads + 1))
		sleep 0.1
	done
	kill -USR1 $p64 $p32 2>/dev/null
	wait $p64
	rc64=$?
	rc32=0
	if [ -n "$p32" ]; then
		wait $p32
		rc32=$?
	fi
	sed 's/^/# /' "$scratch"/stress*.out
	echo "# $loads load/unload cycles in $(($(date +%s) - start))s"
	[ -d /sys/module/xyz ] && xyz_unload
	[ $rc64 = 0 ] && [ $rc32 = 0 ] && [ $loads -ge 3 ]
}
for mode in $routing; do
	check "hook=$mode: load/unload under load, every call right or ENOSYS" \
		stress $mode
done

# the page's header read under its seqcount while the module is loaded and
# unloaded in every mode: never torn, always what the module in effect says
mmap_reader() {
	./xyz_mmap_reader "$STRESS_SECONDS" >"$scratch/reader.out" 2>&1 &
	pr=$!
	loads=0
	end=$(($(date +%s) + STRESS_SECONDS - 1))
	while [ "$(date +%s)" -lt "$end" ]; do
		for mode in $routing none; do
			xyz_load hook=$mode || break 2
			sleep 0.1
			xyz_unload || break 2
			loads=$((loads + 1))
		done
	done
	wait $pr
	rc=$?
	sed 's/^/# /' "$scratch/reader.out"
	echo "# $loads load/unload cycles"
	[ -d /sys/module/xyz ] && xyz_unload
	[ $rc = 0 ] && [ $loads -ge 3 ]
}
check "mmap: no torn header while every mode is loaded and unloaded" \
	mmap_reader

check "no BUG, WARNING or Oops in dmesg" \
	sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops|general protection|Call Trace"'

tap_plan_end
