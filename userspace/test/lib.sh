# shellcheck shell=sh
# SPDX-License-Identifier: MIT
#
# What the CLI's test scripts share: a scratch directory, counters and the
# checks. Source it; end with `finish`.
set -u
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# check DESC STATUS CMD...: CMD exits with STATUS; output in $tmp/out, err.
check() {
	desc=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" = "$want" ]; then
		passed=$((passed + 1))
		return 0
	fi
	failed=$((failed + 1))
	echo "FAIL $desc: exit $got, want $want"
	sed 's/^/    /' "$tmp/out" "$tmp/err"
	return 1
}

# has DESC FILE PATTERN: FILE has a line matching PATTERN.
has() {
	if grep -q -e "$3" "$tmp/$2"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $1: no '$3' in $2"
		sed 's/^/    /' "$tmp/$2"
	fi
}

count() {
	n=$(grep -c -e "$3" "$tmp/$2")
	if [ "$n" = "$4" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $1: '$3' $n times in $2, want $4"
	fi
}

# lines DESC FILE N: FILE has N lines.
lines() {
	n=$(wc -l <"$tmp/$2")
	if [ "$n" = "$3" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $1: $n lines in $2, want $3"
		sed 's/^/    /' "$tmp/$2"
	fi
}

# json DESC PYEXPR: stdout is one JSON object (schema 1) on one line, and
# PYEXPR, over it as j, is true. Without python3 they are left out.
json() {
	command -v python3 >/dev/null || return 0
	if python3 -c '
import json, sys
text = open(sys.argv[1]).read()
assert text.count("\n") == 1, "one line"
j = json.loads(text)
assert j["schema"] == 1, "schema"
assert eval(sys.argv[2]), sys.argv[2]
' "$tmp/out" "$2" 2>"$tmp/pyerr"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $1: $(tail -n 1 "$tmp/pyerr")"
		sed 's/^/    /' "$tmp/out"
	fi
}

# usage DESC CMD...: a usage error, 2, told in one line with one prefix.
usage() {
	desc=$1
	shift
	check "$desc" 2 "$@" && lines "$desc: one line" err 1 &&
		has "$desc: xyz: prefix" err "^xyz: " &&
		lines "$desc: nothing on stdout" out 0
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}
