#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Checks of the xyz command: exit statuses and output, first with no module
# (a root where /sys/module/xyz does not exist), then against the mock of
# the module (xyz_mock, the same CLI linked with test/mock_kernel.c).
#
# usage: cli.sh XYZ XYZ_MOCK
# shellcheck disable=SC2086 # $bench is a word list, split on purpose
xyz=$1
mock=$2
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

bench="bench --iterations 20 --rounds 2 --batches 2"

# Usage errors are 2, in one line; --help is 0.
usage "no command" "$xyz"
usage "unknown command" "$xyz" frobnicate
has "unknown command" err "^xyz: unknown command 'frobnicate' (try 'xyz --help')$"
usage "unknown global option" "$xyz" --frob
usage "call without op" "$xyz" call
usage "unknown op" "$xyz" call frob
usage "unknown door" "$xyz" call --door nope nop
has "unknown door" err "^xyz: call: unknown door 'nope'"
usage "echo without text" "$xyz" call echo
usage "nop with text" "$xyz" call nop extra
usage "zero iterations" "$xyz" bench --iterations 0
usage "bad rounds" "$xyz" bench --rounds 1x
usage "info with argument" "$xyz" info extra
usage "unknown long option" "$xyz" info --frob
has "unknown long option" err "^xyz: info: unknown option '--frob' (try 'xyz info --help')$"
usage "unknown short option" "$xyz" bench -x
has "unknown short option" err "^xyz: bench: unknown option '-x'"
usage "short option in a group" "$xyz" bench --raw -xR
has "short option in a group" err "unknown option '-x'"
usage "missing argument" "$xyz" info --door
has "missing argument" err "^xyz: info: option '--door' needs an argument"
usage "missing short argument" "$xyz" call -d
has "missing short argument" err "option '-d' needs an argument"
usage "argument to a flag" "$xyz" bench --raw=1
has "argument to a flag" err "option '--raw' takes no argument"
usage "ambiguous option" "$xyz" bench --ba 1
has "ambiguous option" err "ambiguous option '--ba'"
usage "-V with argument" "$xyz" -V extra
usage "help for no command" "$xyz" help frob
check "--help" 0 "$xyz" --help && has "--help" out "^usage: xyz COMMAND"
for c in info call bench; do
	has "--help lists $c" out "^  $c "
done
check "help" 0 "$xyz" help && has "help" out "^usage: xyz COMMAND"
# Each command's --help: its usage and one line per option.
for c in info call bench; do
	check "$c --help" 0 "$xyz" $c --help
	has "$c --help" out "^usage: xyz $c "
	has "$c --help: -d" out "^  -d, --door DOOR "
	has "$c --help: -j" out "^  -j, --json "
	has "$c --help: -h" out "^  -h, --help "
	cp "$tmp/out" "$tmp/help"
	check "help $c" 0 "$xyz" help $c
	cp "$tmp/out" "$tmp/other"
	check "help $c is $c --help" 0 cmp "$tmp/other" "$tmp/help"
	check "$c -h" 0 "$xyz" $c -h
	cp "$tmp/out" "$tmp/other"
	check "$c -h is $c --help" 0 cmp "$tmp/other" "$tmp/help"
done
check "bench --help" 0 "$xyz" bench --help
for o in "-o, --op OP" "-s, --size N" "-n, --iterations N" "-u, --batch-us N" \
	 "-r, --rounds N" "-b, --batches N" "-t, --threads N" "-R, --raw" \
	 "-c, --cpu N"; do
	has "bench --help: $o" out "^  $o "
done
count "bench --help: one line per option" out "^  -" 12
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$(dirname "$0")/../../dkms.conf")
for v in --version -V; do
	check "$v" 0 "$xyz" $v
	has "$v: the tool's" out "^xyz $version ("
done
mkdir -p "$tmp/root/sys/module/xyz"
echo 9.8.7 >"$tmp/root/sys/module/xyz/version"
check "--version, module loaded" 0 env XYZ_ROOT="$tmp/root" "$xyz" --version
has "--version, module loaded" out "^module xyz: 9.8.7$"

# Bash completion: every command and door, each command's options.
if command -v bash >/dev/null; then
	complete_() {
		bash -c '. "$1"; shift
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _xyz
			[ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}"' \
			sh "$(dirname "$0")/../completion/xyz" "$@"
	}
	check "complete commands" 0 complete_ xyz ""
	for w in info call bench doctor help -V --version --help; do
		has "complete commands: $w" out "^$w$"
	done
	check "complete call's doors" 0 complete_ xyz call --door ""
	for w in syscall asm int80 ioctl mmap uring; do
		has "complete call's doors: $w" out "^$w$"
	done
	count "complete call's doors: not none" out "^none$" 0
	check "complete bench's doors" 0 complete_ xyz bench -d ""
	has "complete bench's doors: none" out "^none$"
	has "complete bench's doors: uring" out "^uring$"
	check "complete bench's options" 0 complete_ xyz bench -
	for c in info call bench doctor; do
		"$xyz" $c --help | sed -n 's/^  -\(.\), --\([a-z-]*\).*/-\1 --\2/p' |
			tr ' ' '\n' >"$tmp/opts"
		check "complete $c's options" 0 complete_ xyz $c -
		while read -r o; do
			has "complete $c: $o" out "^$o$"
		done <"$tmp/opts"
	done
	check "complete call's text" 0 complete_ xyz call echo ""
	lines "complete call's text: nothing" out 0
fi

# No module: info says so and fails; bench measures the baselines, and
# fails unless only they were asked for.
export XYZ_ROOT=/nonexistent-xyz-root
check "info, no module" 1 "$xyz" info
has "info, no module" out "not loaded"
has "info, no module" err "sudo insmod xyz.ko"
check "info --json, no module" 1 "$xyz" info --json
lines "info --json, no module: one line" out 1
json "info --json, no module" \
	'j["command"] == "info" and j["module"]["loaded"] is False and j["module"]["hook"] is None and j["calls"] is None and [d["id"] for d in j["doors"]][:2] == ["syscall", "asm"] and all(not d["available"] and d["error"]["name"] for d in j["doors"])'
check "info --door ioctl --json, no module" 1 "$xyz" info --door ioctl --json
json "info --door ioctl --json, no module" \
	'j["door"] == "ioctl" and j["info"] is None and j["error"]["name"] == "ENODEV" and "not loaded" in j["error"]["hint"]'
check "--version, no module" 0 "$xyz" --version
has "--version, no module" out "^module xyz: not loaded$"
check "call, no module" 1 "$xyz" call nop
has "call, no module" err "hint: module xyz is not loaded"
check "call --json, no module" 1 "$xyz" call --json nop
json "call --json, no module" \
	'j["command"] == "call" and j["door"] is None and j["result"] is None and j["error"]["name"] == "ENOSYS"'
check "call --door ioctl, no module" 1 "$xyz" call --door ioctl nop
has "call --door ioctl, no module" err "No such device"
check "bench, no module: nothing of xyz measured" 1 "$xyz" $bench
has "bench, no module" err "^xyz: bench: no door could be measured: .*not loaded"
# the rows as CI reads them in the demo, and the table as it was
has "bench, no module" out "^getppid (int80) "
has "bench, no module" out "^clock_gettime (vdso) "
count "bench, no module" out "^\(syscall\|asm\|int80\|ioctl\) .*unavailable: .*not loaded" 4
# the three INFO rows of the shared page
count "bench, no module" out "^\(mmap (INFO)\|INFO via syscall\|INFO via ioctl\) .*unavailable: .*not loaded" 3
# the uring rows: not loaded, or (i386) a libxyz without liburing
count "bench, no module" out "^uring, batch [0-9]* *unavailable: .*\(not loaded\|without liburing\)" 4
check "bench --door none, no module" 0 "$xyz" $bench --door none
count "bench --door none, no module" out "unavailable" 0
check "bench --json, no module" 1 "$xyz" $bench --json
lines "bench --json, no module: one line" out 1
json "bench --json, no module" \
	'j["command"] == "bench" and j["module_loaded"] is False and j["hook"] is None and j["threads"] is None and j["base"] == j["rows"][0]["id"] and any(r["id"] == "uring_batch8" and r["label"] == "uring, batch 8" and r["via"] == "uring" and r["batch"] == 8 and r["available"] is False and r["median_ns"] is None and r["reason"] for r in j["rows"]) and any(r["id"] == "clock_gettime_vdso" and r["available"] and r["median_ns"] > 0 and r["via"] is None for r in j["rows"])'
json "bench --json: ids are unique and plain" \
	'len({r["id"] for r in j["rows"]}) == len(j["rows"]) and all(r["id"].replace("_", "").isalnum() for r in j["rows"])'
check "bench --door none --json, no module" 0 "$xyz" $bench --door none --json
json "bench --door none --json, no module" \
	'all(r["kind"] == "baseline" for r in j["rows"])'
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
	check "mock info --json" 0 "$mock" info --json
	json "mock info --json" \
		'j["module"]["loaded"] and j["module"]["hook"] == "ftrace" and j["module"]["nr"] == 400 and j["abi_version"] == 1 and isinstance(j["calls"], int) and {d["id"]: d["door"] for d in j["doors"] if d["available"]}["int80"] == "compat"'
	check "mock echo" 0 "$mock" call echo "hello world"
	has "mock echo" out "^hello world$"
	check "mock echo --json" 0 "$mock" call --json echo "hello world"
	json "mock echo --json" \
		'j["door"] == "syscall" and j["op"] == "echo" and j["result"] == 11 and j["echo"] == "hello world" and j["info"] is None and j["error"] is None'
	check "mock echo --json, not UTF-8" 0 "$mock" call --json echo "$(printf 'a\377"\\\tb\303\251')"
	json "mock echo --json, not UTF-8" \
		'j["echo"] == "a\ufffd\"\\\tb\u00e9"'
	check "mock echo of an option" 0 "$mock" call --door int80 echo -n
	has "mock echo of an option" out "^-n$"
	check "mock info via int80" 0 "$mock" call --door int80 info
	has "mock info via int80" out "^door  *compat"
	check "mock reset" 0 "$mock" call --door ioctl reset
	check "mock info --door mmap" 0 "$mock" info --door mmap
	has "mock info --door mmap" out "^door  *mmap"
	# the shared page cannot tell who calls: (__u32)-1 is shown as n/a
	for id in uid pid tgid; do
		has "mock info --door mmap: $id" out "^$id  *n/a$"
	done
	count "mock info --door mmap" out "4294967295" 0
	check "mock info --door mmap --json" 0 "$mock" info --door mmap --json
	json "mock info --door mmap --json" \
		'j["info"]["door"] == "mmap" and j["info"]["uid"] is None and j["info"]["pid"] is None and j["info"]["tgid"] is None and j["info"]["nr"] == 400 and j["error"] is None'
	check "mock info --door ioctl" 0 "$mock" info --door ioctl
	has "mock info --door ioctl: a pid" out "^pid  *[0-9][0-9]*$"
	check "mock info via mmap" 0 "$mock" call --door mmap info
	has "mock info via mmap" out "^hook  *ftrace"
	check "mock nop via mmap" 1 "$mock" call --door mmap nop
	has "mock nop via mmap" err "Operation not supported"
	has "mock nop via mmap" err "hint: the shared page answers INFO only"
	check "mock nop via mmap --json" 1 "$mock" call --json --door mmap nop
	json "mock nop via mmap --json" \
		'j["error"]["name"] == "EOPNOTSUPP" and j["error"]["hint"].startswith("the shared page")'
	usage "info --door bogus" "$mock" info --door bogus
	check "mock bench two doors" 0 "$mock" $bench --door ioctl --door int80
	count "mock bench two doors" out "unavailable" 0
	has "mock bench two doors" out "^ioctl  "
	count "mock bench two doors" out "^syscall  " 0
	# the rows as CI greps them in the demo's output
	check "mock bench" 0 "$mock" $bench --door syscall --door mmap --door int80
	count "mock bench: CI's rows" out '^\(syscall\|mmap\|int80\)\( ([^)]*)\|, batch [0-9][0-9]*\)\{0,1\}  *[0-9]' 3
	check "mock bench --json" 0 "$mock" $bench --door ioctl --json
	json "mock bench --json" \
		'j["module_loaded"] and j["hook"] == "ftrace" and {r["id"]: r for r in j["rows"]}["ioctl"]["median_ns"] > 0 and {r["id"]: r for r in j["rows"]}["ioctl"]["via"] == "ioctl" and {r["id"]: r for r in j["rows"]}["ioctl"]["kind"] == "xyz"'
fi

finish
