#!/usr/bin/env bash
# The QEMU of make sanitize. Multi-threaded TCG before QEMU 8.1 translated a
# page without holding its lock: a vCPU could translate a function while
# another vCPU's text_poke_bp() put its int3 there and took it out again,
# and keep that translation after the kernel had synced every CPU. The VM
# then dies of an int3 that memory no longer holds ("Oops: int3" at
# x64_sys_call+0x5 under load/unload). QEMU 8.1 locks the page it
# translates (commit deba78709ae8, "accel/tcg: Always lock pages before
# translation"), 9.1 also the second page of a block that spans two.
#
# usage: scripts/sanitize/qemu.sh
# Prints a directory to put first in PATH, or nothing when the machine's
# qemu-system-x86_64 is 9.1 or newer. Elsewhere (Debian 12 has 7.2) the
# directory holds qemu-system-x86_64 and qemu-system-aarch64 that run
# Debian 13's QEMU from a root of its own, cached in
# $XYZ_CACHE/sanitize/qemu (mmdebstrap, about 300 MB; nothing installed on
# the machine), through that root's dynamic loader: no chroot, no root
# privileges to run it. XYZ_SANITIZE_QEMU_SUITE (trixie-security) is the
# suite it comes from.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

# version BINARY: "MAJOR MINOR" of a QEMU
version() {
	"$@" --version 2>/dev/null |
		sed -n 's/^QEMU emulator version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p'
}

# recent BINARY: whether that QEMU is 9.1 or newer
recent() {
	local major minor
	read -r major minor < <(version "$@") || return 1
	[ "$major" -gt 9 ] || { [ "$major" = 9 ] && [ "$minor" -ge 1 ]; }
}

if recent qemu-system-x86_64; then
	exit 0
fi

suite=${XYZ_SANITIZE_QEMU_SUITE:-trixie-security}
root=$XYZ_CACHE/sanitize/qemu
if [ ! -f "$root/.done" ]; then
	command -v mmdebstrap >/dev/null ||
		xyz_die "no mmdebstrap (scripts/install-deps.sh installs it)"
	sources=$(xyz_apt_dir "$suite")/sources/debian.sources
	xyz_log "the machine's QEMU is older than 9.1: making a root with ${suite%-security}'s (mmdebstrap, in $root)"
	mkdir -p "${root%/*}"
	(
		flock 9
		[ -f "$root/.done" ] && exit 0
		rm -rf "$root.tmp"
		mmdebstrap --quiet --variant=essential \
			--include=qemu-system-x86,qemu-system-arm,ipxe-qemu \
			"${suite%-security}" "$root.tmp" "$sources" >&2 || exit 1
		touch "$root.tmp/.done" && rm -rf "$root" && mv "$root.tmp" "$root"
	) 9>"$root.lock" || xyz_die "cannot make the QEMU root $root"
fi

# one small script per QEMU binary, rewritten when it differs
bin=$root/xyz-bin
mkdir -p "$bin"
for q in qemu-system-x86_64 qemu-system-aarch64; do
	script=$(cat <<-EOF
	#!/bin/sh
	# $q of ${suite%-security}, for make sanitize (scripts/sanitize/qemu.sh).
	# It also looks in the machine's module directory, and may say that a
	# module there is not its own: harmless, the test VM needs none.
	r=$root l=$root/usr/lib/x86_64-linux-gnu
	export QEMU_MODULE_DIR="\$l/qemu"
	exec "\$l/ld-linux-x86-64.so.2" --library-path "\$l" "\$r/usr/bin/$q" \\
	    -L "\$r/usr/share/seabios" -L "\$r/usr/share/qemu" -L "\$r/usr/lib/ipxe/qemu" "\$@"
	EOF
	)
	if [ "$(cat "$bin/$q" 2>/dev/null)" != "$script" ]; then
		printf '%s\n' "$script" >"$bin/$q.tmp" && chmod 755 "$bin/$q.tmp" &&
			mv "$bin/$q.tmp" "$bin/$q"
	fi
done
recent "$bin/qemu-system-x86_64" ||
	xyz_die "$bin/qemu-system-x86_64 does not run, or is older than 9.1: $(version "$bin/qemu-system-x86_64")"
echo "$bin"
