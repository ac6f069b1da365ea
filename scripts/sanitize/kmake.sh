#!/usr/bin/env bash
# make -C KDIR ARGS... for a debug kernel of `make sanitize`
# (scripts/sanitize/kernel.sh), with the compiler that built it: in its
# Debian 13 build root, whose path the file KDIR/xyz-root holds. A private
# mount namespace shows the debug kernels' cache (KDIR and its source), the
# project, build/, /tmp, the working directory and an M= directory at their
# own paths, so M= works unchanged and nothing stays mounted.
# On a Debian 13 machine with gcc-14 no root is needed: make -C KDIR M=...
#
# usage: scripts/sanitize/kmake.sh KDIR [MAKE_ARGS...]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

[ $# -ge 1 ] || xyz_die "usage: $0 KDIR [MAKE_ARGS...]"
kdir=$(cd "$1" && pwd)
shift
root=$(cat "$kdir/xyz-root" 2>/dev/null) ||
	xyz_die "$kdir is no debug kernel of scripts/sanitize/kernel.sh (no xyz-root)"
[ -f "$root/.done" ] || xyz_die "no build root at $root"
binds=("${kdir%/*}" "$XYZ_TOP" "$XYZ_BUILD" /tmp "$PWD")
for a in "$@"; do
	case "$a" in
	M=*) binds+=("$(cd "${a#M=}" && pwd)") ;;
	esac
done
# parents before their children, so that no bind hides another
mapfile -t binds < <(printf '%s\n' "${binds[@]}" | sort -u)
# shellcheck disable=SC2016
xyz_root unshare --mount --propagation unchanged sh -euc '
	mount --make-rprivate / 2>/dev/null || true
	root=$1 n=$2; shift 2
	while [ "$n" -gt 0 ]; do
		mkdir -p "$root$1"
		mount --bind "$1" "$root$1"
		shift; n=$((n - 1))
	done
	mount -t proc proc "$root/proc"
	mount --rbind /dev "$root/dev"
	cd "$root$PWD"
	exec chroot "$root" sh -c "cd \"\$0\" && exec \"\$@\"" "$PWD" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
' xyz_sanitize_kmake "$root" "${#binds[@]}" "${binds[@]}" make -C "$kdir" "$@"
