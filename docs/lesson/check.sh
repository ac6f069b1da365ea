#!/bin/sh
# SPDX-License-Identifier: MIT
# `make check`: the hello programs as built are what docs/syscall-path.md
# says, and run as it says. TAP, then "N passed, N failed, N skipped".
#
# usage: check.sh DIR   (the programs' directory, the Makefile's $(O))
# With xyz.ko loaded (nr=400 compat_nr=223) each must print what sys_xyz
# answered; without it, the assembly ones exit with ENOSYS (38) and the C
# one with 1. The test VM runs them with the module loaded, in every hook
# mode (selftests/xyz/xyz_modes.sh).
dir=${1:-build}
n=0 pass=0 fail=0 skip=0

result() { # ok|not ok|skip DESCRIPTION [REASON]
	n=$((n + 1))
	case "$1" in
	ok) echo "ok $n $2"; pass=$((pass + 1)) ;;
	skip) echo "ok $n $2 # SKIP $3"; skip=$((skip + 1)) ;;
	*) echo "not ok $n $2"; fail=$((fail + 1)) ;;
	esac
}
check() { # DESCRIPTION COMMAND...
	desc=$1
	shift
	if "$@"; then result ok "$desc"; else result "not ok" "$desc"; fi
}

# static: no program interpreter (the test VM has no libc)
static() { ! readelf -lW "$1" | grep -q INTERP; }
class() { readelf -hW "$1" | grep -q "Class: *$2" && readelf -hW "$1" | grep -q "Machine:.*$3"; }
# not position-independent (loaded where its headers say), and every loadable
# segment ends below 4 GiB: int $0x80 passes 32-bit pointers
below4g() {
	readelf -hW "$1" | grep -q 'Type: *EXEC' || return 1
	readelf -lW "$1" | grep '^ *LOAD' | {
		while read -r _ _ vaddr _ _ memsz _; do
			[ $((vaddr + memsz)) -le 4294967296 ] || exit 1
		done
	}
}

loaded=
if [ "$(cat /sys/module/xyz/parameters/nr 2>/dev/null)" = 400 ] &&
   [ "$(cat /sys/module/xyz/parameters/compat_nr 2>/dev/null)" = 223 ]; then
	loaded=1
fi
# run DESCRIPTION PROGRAM DOOR STATUS-WITHOUT-MODULE
run() {
	out=$("$2" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	if [ -n "$loaded" ]; then
		check "$1 prints the echo and door $3" test "$rc" = 0 -a \
			"$(echo "$out" | sed -n '1,2p')" = "$(printf 'sys_xyz echoed: hello\nsys_xyz says: door %s' "$3")"
	elif [ "$rc" -gt 128 ]; then
		result skip "$1 fails with status $4 without xyz.ko" "killed by signal $((rc - 128)): no ia32 emulation in this kernel?"
	else
		check "$1 fails with status $4 without xyz.ko" test "$rc" = "$4"
	fi
}

echo "TAP version 13"
[ -n "$loaded" ] || echo "# xyz.ko is not loaded with nr=400 compat_nr=223: each program must fail"
run "hello-xyz" "$dir/hello-xyz" 1 1
if [ -x "$dir/hello-xyz-syscall" ]; then
	check "hello-xyz-syscall is an x86-64 program" class "$dir/hello-xyz-syscall" ELF64 X86-64
	check "hello-xyz-syscall is static" static "$dir/hello-xyz-syscall"
	run "hello-xyz-syscall" "$dir/hello-xyz-syscall" 1 38
	check "hello-xyz-int80-32 is an i386 program" class "$dir/hello-xyz-int80-32" ELF32 "Intel 80386"
	check "hello-xyz-int80-32 is static" static "$dir/hello-xyz-int80-32"
	run "hello-xyz-int80-32" "$dir/hello-xyz-int80-32" 2 38
	check "hello-xyz-int80 is an x86-64 program" class "$dir/hello-xyz-int80" ELF64 X86-64
	check "hello-xyz-int80 lies below 4 GiB" below4g "$dir/hello-xyz-int80"
	run "hello-xyz-int80" "$dir/hello-xyz-int80" 2 38
else
	result skip "the assembly programs" "x86 only"
fi
echo "1..$n"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
