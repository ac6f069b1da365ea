#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Runs the host checks, each argument one command line, and ends with one
# line "N passed, N failed, N skipped" over all of them (scripts/check.sh
# reads the last such line). A check's own output is shown when it fails.
#
# usage: run-checks.sh 'CMD [ARGS]'...
set -u
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT
passed=0 failed=0 skipped=0

for cmd in "$@"; do
	$cmd >"$log" 2>&1
	rc=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then		# a unit test or cli.sh
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
		s=0
	else				# TAP
		p=$(grep -E '^ok [0-9]' "$log" | grep -vc '# SKIP')
		f=$(grep -cE '^not ok [0-9]' "$log")
		s=$(grep -cE '^ok [0-9].*# SKIP|^1\.\.0 # SKIP' "$log")
	fi
	note=
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1 note=" (exit status $rc)"
	fi
	if [ $((p + f + s)) = 0 ]; then
		f=1 note=" (no results)"
	fi
	echo "== $cmd: $p passed, $f failed, $s skipped$note"
	if [ "$f" != 0 ]; then
		sed 's/^/    /' "$log"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
