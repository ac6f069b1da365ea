#!/usr/bin/env bash
# What scripts/lib.sh decides from the machine it runs on, checked against
# made-up machines (no network, no root): which Debian mirror it reads from
# the machine's apt sources (deb822 and one-line, any release, or none: a
# machine that is not Debian), which release the machine is, that a private
# apt configuration written for another mirror or by a failed run is
# rebuilt, which matrix line a kernel release belongs to, and which QEMU
# make sanitize boots. Prints TAP and
# "N passed, N failed, N skipped".
set -uo pipefail
source "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 npass=0 nfail=0 nskip=0

# is DESCRIPTION WANT GOT
is() {
	if [ "$2" = "$3" ]; then
		xyz_tap ok "$1"
	else
		xyz_tap fail "$1" "want: $2
got:  $3"
	fi
}

# machine NAME: an empty /etc/apt and os-release of a made-up machine
machine() {
	XYZ_APT_ETC=$tmp/$1/apt XYZ_OS_RELEASE=$tmp/$1/os-release
	mkdir -p "$XYZ_APT_ETC/sources.list.d"
}
uris() { echo "$(xyz_debian_uri main) $(xyz_debian_uri security)"; }
unset XYZ_DEBIAN_URI XYZ_DEBIAN_SECURITY_URI
echo "TAP version 13"

machine debian12
cat >"$XYZ_APT_ETC/sources.list.d/debian.sources" <<'EOF'
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
printf 'ID=debian\nVERSION_CODENAME=bookworm\n' >"$XYZ_OS_RELEASE"
is "Debian 12, deb822: its mirror and security mirror" \
	"http://deb.debian.org/debian http://deb.debian.org/debian-security" "$(uris)"
is "Debian 12: the release is bookworm" bookworm "$(xyz_host_release)"

machine debian13
cat >"$XYZ_APT_ETC/sources.list.d/debian.sources" <<'EOF'
Types: deb-src
URIs: http://src.example.org/debian
Suites: trixie
Components: main

Types: deb
URIs: http://disabled.example.org/debian
Suites: trixie
Components: main
Enabled: no

Types: deb deb-src
URIs: https://mirror.example.org/debian/
Suites: trixie trixie-updates
Components: main contrib

Types: deb
URIs: https://mirror.example.org/debian-security
Suites: trixie-security
Components: main
EOF
printf 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nID=debian\nVERSION_CODENAME=trixie\n' \
	>"$XYZ_OS_RELEASE"
is "Debian 13, deb822 with deb-src and disabled entries: the enabled deb mirror, no trailing slash" \
	"https://mirror.example.org/debian https://mirror.example.org/debian-security" "$(uris)"
is "Debian 13: the release is trixie" trixie "$(xyz_host_release)"
is "XYZ_DEBIAN_URI and XYZ_DEBIAN_SECURITY_URI win" "http://a/debian http://b/sec" \
	"$(XYZ_DEBIAN_URI=http://a/debian XYZ_DEBIAN_SECURITY_URI=http://b/sec uris)"

machine oneline
cat >"$XYZ_APT_ETC/sources.list" <<'EOF'
# deb http://commented.example.org/debian bookworm main
deb-src http://src.example.org/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://ftp.example.org/debian bookworm main
deb http://security.debian.org/debian-security bookworm-security main
EOF
is "one-line sources.list with options: its mirror and security mirror" \
	"http://ftp.example.org/debian http://security.debian.org/debian-security" "$(uris)"

machine backports-only
echo "deb http://mirror.example.org/debian trixie-backports main" \
	>"$XYZ_APT_ETC/sources.list.d/bp.list"
is "only a backports suite names a Debian mirror: that one, and Debian's security mirror" \
	"http://mirror.example.org/debian http://deb.debian.org/debian-security" "$(uris)"

machine ubuntu
cat >"$XYZ_APT_ETC/sources.list.d/ubuntu.sources" <<'EOF'
Types: deb
URIs: http://archive.ubuntu.com/ubuntu/
Suites: noble noble-updates noble-backports
Components: main universe

Types: deb
URIs: http://security.ubuntu.com/ubuntu/
Suites: noble-security
Components: main universe
EOF
printf 'ID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=noble\n' >"$XYZ_OS_RELEASE"
is "Ubuntu: no Debian mirror in its sources, so Debian's own" \
	"$XYZ_DEBIAN_DEFAULT_URI $XYZ_DEBIAN_DEFAULT_SECURITY_URI" "$(uris)"
is "Ubuntu: no Debian release" "" "$(xyz_host_release)"

# The private configurations, in a cache of their own.
export XYZ_CACHE=$tmp/cache XYZ_DEBIAN_KEYRING=$tmp/keyring.gpg
touch "$XYZ_DEBIAN_KEYRING"
is "a -security suite reads the suite and its security updates" \
	"bookworm bookworm-security" \
	"$(xyz_apt_sources bookworm-security | sed -n 's/^Suites: //p' | tr '\n' ' ' | sed 's/ $//')"
is "sid reads sid alone" "sid" "$(xyz_apt_sources sid | sed -n 's/^Suites: //p')"
dir=$XYZ_CACHE/apt/trixie-security-arm64
mkdir -p "$dir"/{sources,lists}
printf 'Types: deb\nURIs: \nSuites: trixie\n' >"$dir/sources/debian.sources"
touch "$dir/lists/x_Packages" "$dir/lists/.complete"
is "a private configuration with an empty URIs: line (a failed run's) is rewritten" \
	"$dir" "$(xyz_apt_dir trixie-security:arm64)"
is "  ... with the mirror it should name" "http://deb.debian.org/debian" \
	"$(sed -n 's/^URIs: //p' "$dir/sources/debian.sources" | head -n 1)"
is "  ... and its lists are dropped" "" "$(ls -A "$dir/lists" | grep -v partial)"
touch "$dir/lists/y_Packages" "$dir/lists/.complete"
xyz_apt_dir trixie-security:arm64 >/dev/null
is "the same configuration again keeps its lists" "y_Packages" "$(ls "$dir/lists" | grep Packages)"
XYZ_DEBIAN_URI=http://other.example.org/debian xyz_apt_dir trixie-security:arm64 >/dev/null
is "another mirror rewrites the configuration and drops its lists" \
	"http://other.example.org/debian " \
	"$(sed -n 's/^URIs: //p' "$dir/sources/debian.sources" | head -n 1) $(ls "$dir/lists" | grep Packages)"

# Which line of the matrix a release belongs to (the patterns are anchored).
line() { (xyz_kernel_line "$1" 2>/dev/null) || echo none; }
is "5.10.0-46-amd64 is bullseye's line" "amd64 bullseye-security" "$(line 5.10.0-46-amd64)"
is "6.12.118+deb12-amd64 is Debian 12's 6.12" "amd64 bookworm-security" "$(line 6.12.118+deb12-amd64)"
is "6.12.118+deb13-amd64 is Debian 13's 6.12" "amd64 trixie-security" "$(line 6.12.118+deb13-amd64)"
is "6.12.118+deb13-arm64 is Debian 13's arm64 6.12" "arm64 trixie-security" "$(line 6.12.118+deb13-arm64)"
is "6.12.118+deb13-rt-amd64 is Debian 13's RT 6.12" "amd64 trixie-security" "$(line 6.12.118+deb13-rt-amd64)"
is "6.12.118+deb13-cloud-amd64 is no line of the matrix" none "$(line 6.12.118+deb13-cloud-amd64)"
is "7.2.13+deb14-amd64 is sid's line" "amd64 sid" "$(line 7.2.13+deb14-amd64)"

# xyz doctor's list of tested kernels (userspace/tools/doctor_kernels.c)
# is the matrix's, pattern for pattern.
is "xyz doctor's tested kernels are the matrix's lines" \
	"$(xyz_matrix_lines | awk '{ print $3 }' | sort)" \
	"$(sed -n 's/.*"\^\(.*\)\$",*.*/\1/p' "$XYZ_TOP/userspace/tools/doctor_kernels.c" |
		sed 's/\\\\/\\/g' | sort)"

# The verdict of a VM run of the selftests, from vm-run.sh's output (in a
# subshell: xyz_tap counts into its own totals there).
vm_verdict() { (n=0 npass=0 nfail=0 nskip=0; printf '%b' "$1" | xyz_tap_vm d 6.1.0-57-amd64 "$2" vm.log); }
is "a VM run with its result line, nothing failed, exit 0: ok with its counts" \
	"ok 1 d (12 passed, 3 skipped)" \
	"$(vm_verdict '[6.1.0-57-amd64] ok 1 a\n[6.1.0-57-amd64] 12 passed, 0 failed, 3 skipped in 9s\n' 0)"
is "a VM run that failed a test: not ok, its result line said" \
	"not ok 1 d|# [6.1.0-57-amd64] 11 passed, 1 failed, 3 skipped in 9s (exit status 1)" \
	"$(vm_verdict '[6.1.0-57-amd64] 11 passed, 1 failed, 3 skipped in 9s\n' 1 | paste -sd'|')"
is "a VM run without a result line (another kernel's does not count): not ok" \
	"not ok 1 d|# vm-run.sh printed no result line (exit status 0; log vm.log)" \
	"$(vm_verdict '[6.12.118+deb13-amd64] 12 passed, 0 failed, 3 skipped in 9s\n' 0 | paste -sd'|')"
is "a VM run that exited non-zero after a clean result line: not ok" \
	"not ok 1 d|# [6.1.0-57-amd64] 12 passed, 0 failed, 3 skipped in 9s (exit status 1)" \
	"$(vm_verdict '[6.1.0-57-amd64] 12 passed, 0 failed, 3 skipped in 9s\n' 1 | paste -sd'|')"

# Which QEMU make sanitize boots (scripts/sanitize/qemu.sh): a made-up
# QEMU of some version first in PATH, and a cached Debian 13 root whose
# loader is a stand-in that prints the version of the root's QEMU.
made_up_qemu() {	# made_up_qemu PATH VERSION
	mkdir -p "${1%/*}"
	printf '#!/bin/sh\necho "QEMU emulator version %s (made up)"\n' "$2" >"$1"
	chmod 755 "$1"
}
sanitize_qemu() {	# sanitize_qemu MACHINE_VERSION ROOT_VERSION: what qemu.sh prints
	local d=$tmp/qemu-$1-$2 out
	made_up_qemu "$d/machine/qemu-system-x86_64" "$1"
	made_up_qemu "$d/cache/sanitize/qemu/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$2"
	touch "$d/cache/sanitize/qemu/.done"
	out=$(PATH=$d/machine:$PATH XYZ_CACHE=$d/cache "$XYZ_TOP/scripts/sanitize/qemu.sh" 2>/dev/null) ||
		out="exit status $?"
	echo "${out#"$d/cache"}"
}
is "make sanitize: the machine's QEMU 10.0" "" "$(sanitize_qemu 10.0.13 none)"
is "make sanitize: the machine's QEMU 9.1" "" "$(sanitize_qemu 9.1.0 none)"
is "make sanitize: not QEMU 9.0 (a block's second page unlocked), Debian 13's root's" \
	/sanitize/qemu/xyz-bin "$(sanitize_qemu 9.0.2 10.0.13)"
is "make sanitize: not QEMU 7.2 (Debian 12's), Debian 13's root's" \
	/sanitize/qemu/xyz-bin "$(sanitize_qemu 7.2.22 10.0.13)"
is "make sanitize: a root whose QEMU is older than 9.1 too is refused" \
	"exit status 1" "$(sanitize_qemu 7.2.22 8.2.2)"

echo "1..$n"
echo "$npass passed, $nfail failed, $nskip skipped"
[ "$nfail" = 0 ]
