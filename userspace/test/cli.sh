#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Checks of the xyz command: exit statuses and output, first with no module
# (a root where /sys/module/xyz does not exist), then against the mock of
# the module (xyz_mock, the same CLI linked with test/mock_kernel.c).
#
# usage: cli.sh XYZ XYZ_MOCK
set -u
xyz=$1
mock=$2
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

bench="bench --iterations 20 --rounds 2 --batches 2"

# Usage errors are 2, --help is 0.
check "no command" 2 "$xyz"
check "unknown command" 2 "$xyz" frobnicate
check "call without op" 2 "$xyz" call
check "unknown op" 2 "$xyz" call frob
check "unknown door" 2 "$xyz" call --door nope nop
check "echo without text" 2 "$xyz" call echo
check "nop with text" 2 "$xyz" call nop extra
check "zero iterations" 2 "$xyz" bench --iterations 0
check "bad rounds" 2 "$xyz" bench --rounds 1x
check "info with argument" 2 "$xyz" info extra
check "--help" 0 "$xyz" --help && has "--help" out "^usage: xyz info"
check "bench --help" 0 "$xyz" bench --help
check "--version" 0 "$xyz" --version
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$(dirname "$0")/../../dkms.conf")
has "--version: the tool's" out "^xyz $version ("
mkdir -p "$tmp/root/sys/module/xyz"
echo 9.8.7 >"$tmp/root/sys/module/xyz/version"
check "--version, module loaded" 0 env XYZ_ROOT="$tmp/root" "$xyz" --version
has "--version, module loaded" out "^module xyz: 9.8.7$"

# No module: info says so and fails; bench still measures the baselines.
export XYZ_ROOT=/nonexistent-xyz-root
check "info, no module" 1 "$xyz" info
has "info, no module" out "not loaded"
has "info, no module" err "sudo insmod xyz.ko"
check "--version, no module" 0 "$xyz" --version
has "--version, no module" out "^module xyz: not loaded$"
check "call, no module" 1 "$xyz" call nop
has "call, no module" err "hint: module xyz is not loaded"
check "call --door ioctl, no module" 1 "$xyz" call --door ioctl nop
has "call --door ioctl, no module" err "No such device"
check "bench, no module" 0 "$xyz" $bench
has "bench, no module" out "^getppid (int80) "
has "bench, no module" out "^clock_gettime (vdso) "
count "bench, no module" out "^\(syscall\|asm\|int80\|ioctl\) .*unavailable: .*not loaded" 4
# the three INFO rows of the shared page
count "bench, no module" out "^\(mmap (INFO)\|INFO via syscall\|INFO via ioctl\) .*unavailable: .*not loaded" 3
# the uring rows: not loaded, or (i386) a libxyz without liburing
count "bench, no module" out "^uring, batch [0-9]* *unavailable: .*\(not loaded\|without liburing\)" 4
check "bench --json, no module" 0 "$xyz" $bench --json
has "bench --json, no module" out '^{"arch":.*"available":false'
if command -v python3 >/dev/null; then
	cp "$tmp/out" "$tmp/json"
	check "bench --json parses" 0 python3 -m json.tool "$tmp/json"
fi
unset XYZ_ROOT

# The mock module: every door answers.
"$mock" --version >"$tmp/out" 2>&1
if grep -q '# SKIP' "$tmp/out"; then
	echo "mock skipped: $(cat "$tmp/out")"
else
	check "mock info" 0 "$mock" info
	has "mock info" out "^hook  *ftrace"
	has "mock info" out "^  int80  *ok (door=compat)"
	has "mock info" out "^  ioctl  *ok (door=ioctl)"
	has "mock info" out "^  mmap  *ok (door=mmap)"
	check "mock echo" 0 "$mock" call echo "hello world"
	has "mock echo" out "^hello world$"
	check "mock echo of an option" 0 "$mock" call --door int80 echo -n
	has "mock echo of an option" out "^-n$"
	check "mock info via int80" 0 "$mock" call --door int80 info
	has "mock info via int80" out "^door  *compat"
	check "mock reset" 0 "$mock" call --door ioctl reset
	check "mock info --door mmap" 0 "$mock" info --door mmap
	has "mock info --door mmap" out "^door  *mmap"
	has "mock info --door mmap" out "^pid  *4294967295"
	check "mock info via mmap" 0 "$mock" call --door mmap info
	has "mock info via mmap" out "^hook  *ftrace"
	check "mock nop via mmap" 1 "$mock" call --door mmap nop
	has "mock nop via mmap" err "Operation not supported"
	has "mock nop via mmap" err "hint: the shared page answers INFO only"
	check "info --door bogus" 2 "$mock" info --door bogus
	check "mock bench two doors" 0 "$mock" $bench --door ioctl --door int80
	count "mock bench two doors" out "unavailable" 0
	has "mock bench two doors" out "^ioctl  "
	count "mock bench two doors" out "^syscall  " 0
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
