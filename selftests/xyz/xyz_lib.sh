#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the xyz selftest scripts (POSIX sh: runs under busybox).
# One flat TAP stream: results of sub-programs are renumbered into it.

XYZ_KO=${XYZ_KO:-xyz}
# arm64 has no int $0x80 and no 32-bit programs to test
XYZ_NO_COMPAT="int \$0x80 has no arm64 counterpart: no compat door, no 32-bit programs"
xyz_n=0
xyz_pass=0
xyz_fail=0
xyz_skip=0

# tap_result "ok"|"not ok" DESCRIPTION
tap_result() {
	xyz_n=$((xyz_n + 1))
	echo "$1 $xyz_n $2"
	case "$1 $2" in
	*"# SKIP"*)	xyz_skip=$((xyz_skip + 1)) ;;
	"ok "*)		xyz_pass=$((xyz_pass + 1)) ;;
	*)		xyz_fail=$((xyz_fail + 1)) ;;
	esac
}

# check DESCRIPTION COMMAND...: one result from a command's exit status
check() {
	desc=$1
	shift
	if "$@"; then tap_result ok "$desc"; else tap_result "not ok" "$desc"; fi
}

# run_prog LABEL PROGRAM [ARGS...]: re-emit a TAP program's results
run_prog() {
	label=$1
	shift
	case "$1" in
	*_32)	# the Makefile builds them only with a 32-bit compiler
		if [ ! -x "$1" ] && [ "$(uname -m)" = aarch64 ]; then
			tap_result ok "$label # SKIP ${1##*/}: $XYZ_NO_COMPAT"
			return 0
		elif [ ! -x "$1" ]; then
			tap_result ok "$label # SKIP ${1##*/}: no 32-bit build"
			return 0
		fi ;;
	esac
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	before=$xyz_n
	failed=$xyz_fail
	while IFS= read -r line; do
		case "$line" in
		"not ok "[0-9]*)	st="not ok"; rest=${line#not ok } ;;
		"ok "[0-9]*)		st=ok; rest=${line#ok } ;;
		*)			echo "# $line"; continue ;;
		esac
		tap_result "$st" "$label: ${rest#* }"
	done <"$out"
	rm -f "$out"
	if [ "$xyz_n" = "$before" ]; then
		tap_result "not ok" "$label: no results (exit $rc)"
	elif [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$xyz_fail" = "$failed" ]; then
		tap_result "not ok" "$label: exit status $rc"
	fi
}

xyz_load() {
	if [ -f "$XYZ_KO" ]; then
		insmod "$XYZ_KO" "$@"
	else
		modprobe "$XYZ_KO" "$@"
	fi
}

# Unloading fails with EBUSY while /dev/xyz is open somewhere: retry a while.
xyz_unload() {
	i=0
	while [ -d /sys/module/xyz ]; do
		rmmod xyz 2>/dev/null && return 0
		i=$((i + 1))
		[ $i -lt 200 ] || return 1
		sleep 0.05
	done
}

xyz_param() {
	cat "/sys/module/xyz/parameters/$1" 2>/dev/null
}

tap_plan_end() {
	echo "1..$xyz_n"
	echo "# Totals: pass:$xyz_pass fail:$xyz_fail skip:$xyz_skip"
	[ "$xyz_fail" = 0 ] || return 1
	return 0
}
