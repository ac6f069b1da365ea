#!/usr/bin/env bash
# Host check of the uapi header: it compiles alone as C and C++, 32- and
# 64-bit, with the same sizes and offsets everywhere (so no compat
# translation is ever needed). Prints TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/abi.c" <<'EOC'
#include <linux/xyz.h>
#include <stddef.h>
#define CHECK(c) _Static_assert(c, #c)
CHECK(sizeof(struct xyz_args) == XYZ_ARGS_SIZE_VER0);
CHECK(sizeof(struct xyz_args) == 48);
CHECK(offsetof(struct xyz_args, size) == 0);
CHECK(offsetof(struct xyz_args, op) == 4);
CHECK(offsetof(struct xyz_args, flags) == 8);
CHECK(offsetof(struct xyz_args, in) == 16);
CHECK(offsetof(struct xyz_args, in_len) == 24);
CHECK(offsetof(struct xyz_args, out) == 32);
CHECK(offsetof(struct xyz_args, out_len) == 40);
CHECK(_Alignof(struct xyz_args) == 8);
CHECK(sizeof(struct xyz_info) == 48);
CHECK(offsetof(struct xyz_info, nr) == 16);
CHECK(offsetof(struct xyz_info, uid) == 28);
CHECK(offsetof(struct xyz_info, tgid) == 36);
CHECK(offsetof(struct xyz_info, calls) == 40);
CHECK(XYZ_IOC_CALL == 0xc0307801);
CHECK(XYZ_OP_RESET == 3 && XYZ_DOOR_URING == 4 && XYZ_HOOK_DIRECT == 4);
CHECK(XYZ_DOOR_MMAP == 5 && XYZ_HOOK_TRACEPOINT == 5);
CHECK(sizeof(struct xyz_page) == 36);
CHECK(offsetof(struct xyz_page, hook) == 12);
CHECK(offsetof(struct xyz_page, ncpus) == 24);
CHECK(offsetof(struct xyz_page, counters_offset) == 32);
CHECK(sizeof(struct xyz_uring_cmd) == 16);
CHECK(_Alignof(struct xyz_uring_cmd) == 8);
CHECK(XYZ_URING_CMD_CALL == 0xc0307802);

EOC
sed 's/_Static_assert/static_assert/;s/_Alignof/alignof/' "$tmp/abi.c" >"$tmp/abi.cc"
n=0 failed=0
for cc in "gcc -std=c11 -m64" "gcc -std=c11 -m32" "g++ -std=c++11 -m64" "g++ -std=c++11 -m32"; do
	n=$((n + 1))
	src=$tmp/abi.c
	case "$cc" in g++*) src=$tmp/abi.cc ;; esac
	if $cc -Wall -Wextra -Werror -pedantic -I"$top/include/uapi" -c "$src" -o "$tmp/a.o" 2>"$tmp/err"; then
		echo "ok $n uapi header: $cc"
	else
		sed 's/^/# /' "$tmp/err"
		echo "not ok $n uapi header: $cc"
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
