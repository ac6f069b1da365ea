#!/usr/bin/env bash
# shellcheck disable=SC2317	# the in_* functions run in roots, through declare -f
# Debian's own tests of xyz's packages, per Debian release: what a Debian
# developer runs before an upload. See docs/dkms.md.
#
# usage: scripts/debian-tests.sh [--only STEP,...] [RELEASE...]
#   RELEASE: bookworm, trixie (default both); STEP: lintian, autopkgtest,
#   piuparts, upgrade (default all; the build always runs)
#
# For each release, every step in a brand-new system of that release (an
# overlay of a root mmdebstrap made, scripts/roots.sh, thrown away after):
#   build     dpkg-buildpackage -us -uc from HEAD (git archive) in a root of
#             the release (its compiler, debhelper, dh-dkms), as version N
#             (dkms.conf's), and the binaries again as N+1 (dkms.conf and
#             changelog bumped);
#   lintian   the release's lintian --info --pedantic on N, source and
#             binaries: no error; no
#             warning either, but Debian 12's newer-standards-version (the
#             Standards-Version is Debian 13's, which lintian 2.116 predates);
#   autopkgtest  N's four packages with the sources' debian/tests and what
#             autodep8 adds for Testsuite: autopkgtest-pkg-dkms (dkms builds
#             and installs xyz for each kernel that has headers), through
#             autopkgtest-virt-null in a root with two kernels' headers;
#   piuparts  install, remove, purge of the four packages in a chroot of the
#             release made by piuparts itself from a fresh minbase tarball:
#             nothing may be left behind;
#   upgrade   N installed, a user setting in /etc/modprobe.d/xyz.conf, then
#             N+1 over it: xyz rebuilt for both kernels, the setting kept,
#             one xyz in `dkms status` per kernel.
# Prints TAP and ends with "N passed, N failed, N skipped"; logs and the
# packages in build/deb/debian/<release>/. As root (re-runs itself with sudo).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/roots.sh"

[ "$(id -u)" = 0 ] || exec sudo -- env XYZ_CACHE="$XYZ_CACHE" XYZ_BUILD="$XYZ_BUILD" "$0" "$@"
steps=lintian,autopkgtest,piuparts,upgrade
if [ "${1:-}" = --only ]; then
	steps=$2
	shift 2
fi
want() { [[ ",$steps," == *",$1,"* ]]; }
releases=("$@")
[ ${#releases[@]} -gt 0 ] || releases=(bookworm trixie)
OUT=$XYZ_BUILD/deb/debian
ROOTS=$XYZ_CACHE/deb-roots
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$XYZ_TOP/dkms.conf")
[ -n "$VERSION" ] || xyz_die "no PACKAGE_VERSION in $XYZ_TOP/dkms.conf"
NEXT=${VERSION%.*}.$((${VERSION##*.} + 1))
PKGS=(xyz-dkms libxyz1 libxyz-dev xyz)

# shellcheck disable=SC2034	# xyz_tap's counters (lib.sh)
n=0 npass=0 nfail=0 nskip=0

# The kernels whose headers the test roots have: the matrix's of that
# release (Debian 12: 6.1 and 6.12; Debian 13: 6.12), and Debian 13's 6.12
# in its PREEMPT_RT flavour too.
release_kernels() {
	local k s found=
	for k in $(xyz_matrix amd64); do
		s=$(xyz_kernel_suite "$k")
		[ "${s%-security}" = "$1" ] || continue
		echo "$k"
		found=1
		[ "$1" != trixie ] || echo "${k%-amd64}-rt-amd64"
	done
	[ -n "$found" ] || xyz_die "no kernel of $1 in scripts/kernel-matrix"
}

# --- in the roots (run there with bash -c "$(declare -f fn); fn ARGS") ------

# in_build RELEASE VERSION NEXT: N and N+1 built, N linted, into /out/RELEASE
in_build() {
	local r=$1 v=$2 v1=$3 o=/out/$1 trailer
	set -eu
	mkdir -p /tmp/n /tmp/n1 "$o/debs/n" "$o/debs/n1"
	cp -a "/out/src/xyz-$v" /tmp/n/
	# source and binaries: lintian's source checks read the .dsc
	(cd "/tmp/n/xyz-$v" && dpkg-buildpackage -us -uc) >"$o/build-n.log" 2>&1 ||
		{ tail -n 20 "$o/build-n.log"; return 1; }
	cp /tmp/n/*.deb /tmp/n/*.dsc /tmp/n/*.tar.* /tmp/n/*.changes /tmp/n/*.buildinfo "$o/debs/n/"
	lintian --version >"$o/lintian.log"
	lintian --verbose --info --pedantic "/tmp/n/xyz_${v}_amd64.changes" >>"$o/lintian.log" 2>&1 || true
	# N+1: the same sources, dkms.conf and debian/changelog one version on
	cp -a "/out/src/xyz-$v" "/tmp/n1/xyz-$v1"
	cd "/tmp/n1/xyz-$v1"
	sed -i "s/^PACKAGE_VERSION=\"$v\"\$/PACKAGE_VERSION=\"$v1\"/" dkms.conf
	trailer=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' debian/changelog | head -n 1)
	{
		printf 'xyz (%s) unstable; urgency=medium\n\n' "$v1"
		printf '  * The next version, for the upgrade test (scripts/debian-tests.sh).\n\n'
		printf ' -- %s  %s\n\n' "$trailer" "$(date -R)"
		cat debian/changelog
	} >debian/changelog.new && mv debian/changelog.new debian/changelog
	DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b >"$o/build-n1.log" 2>&1 ||
		{ tail -n 20 "$o/build-n1.log"; return 1; }
	cp /tmp/n1/*.deb "$o/debs/n1/"
}

# in_autopkgtest RELEASE VERSION: autopkgtest-virt-null, this root the testbed
in_autopkgtest() {
	local o=/out/$1 v=$2 p debs=()
	set -eu
	for p in xyz-dkms libxyz1 libxyz-dev xyz; do debs+=("$o/debs/n/${p}_${v}_"*.deb); done
	apt-get update -qq
	rm -rf "$o/autopkgtest"
	# breaks-testbed (the dkms test): the testbed is thrown away after
	autopkgtest --no-built-binaries --ignore-restrictions=breaks-testbed \
		--summary-file="$o/autopkgtest.summary" --output-dir="$o/autopkgtest" \
		"${debs[@]}" "/out/src/xyz-$v/" -- null
}

# in_piuparts RELEASE VERSION: install, remove, purge in piuparts's own chroot
in_piuparts() {
	local r=$1 o=/out/$1 v=$2 p debs=()
	set -eu
	for p in xyz-dkms libxyz1 libxyz-dev xyz; do debs+=("$o/debs/n/${p}_${v}_"*.deb); done
	# the base tarball's sources (the release and its security updates)
	piuparts --basetgz="$o/piuparts-base.tar.gz" --keep-sources-list -d "$r" \
		--log-file="$o/piuparts.log" "${debs[@]}" >/dev/null
}

# in_upgrade RELEASE VERSION NEXT KERNEL...: N, a user setting, N+1 over it;
# one "ok|fail DESCRIPTION" line per check in /out/RELEASE/upgrade.checks
in_upgrade() {
	local r=$1 v=$2 v1=$3 o=/out/$1 k p f n1debs=() ndebs=()
	shift 3
	set -u
	check() {
		local d=$1
		shift
		echo "### $d: $*"
		if "$@"; then echo "ok $d" >>"$o/upgrade.checks"; else echo "fail $d" >>"$o/upgrade.checks"; fi
	}
	installed_ko() {
		for f in /lib/modules/"$1"/updates/dkms/xyz.ko{,.xz,.gz,.zst}; do
			[ -f "$f" ] && { echo "$f"; return 0; }
		done
		return 1
	}
	only_version() {	# dkms status: one xyz line per kernel, all VERSION, installed
		local st
		st=$(dkms status xyz)
		echo "$st"
		[ "$(grep -c '^xyz/' <<<"$st")" = "${#kernels[@]}" ] || return 1
		for k in "${kernels[@]}"; do
			grep -qx "xyz/$1, $k, x86_64: installed" <<<"$st" || return 1
		done
	}
	module_is() {	# the installed module of every kernel: version and signer
		local ko
		for k in "${kernels[@]}"; do
			ko=$(installed_ko "$k") || { echo "$k: no module"; return 1; }
			echo "$ko: version $(modinfo -F version "$ko"), signer $(modinfo -F signer "$ko")"
			[ "$(modinfo -F version "$ko")" = "$1" ] || return 1
		done
	}
	kernels=("$@")
	: >"$o/upgrade.checks"
	for p in xyz-dkms libxyz1 libxyz-dev xyz; do
		ndebs+=("$o/debs/n/${p}_${v}_"*.deb)
		n1debs+=("$o/debs/n1/${p}_${v1}_"*.deb)
	done
	apt-get update -qq
	check "N ($v): apt-get install of the four packages" \
		apt-get install -y -q --no-install-recommends "${ndebs[@]}"
	check "N ($v): DKMS built and installed xyz/$v for ${kernels[*]}" only_version "$v"
	# the user's setting: the shipped conffile, edited
	echo 'options xyz hook=kprobe nr=401' >>/etc/modprobe.d/xyz.conf
	cp /etc/modprobe.d/xyz.conf /tmp/user-xyz.conf
	check "N+1 ($v1): apt-get install over N" \
		apt-get install -y -q --no-install-recommends "${n1debs[@]}"
	check "N+1: one xyz in dkms status per kernel, xyz/$v1 installed for ${kernels[*]}" \
		only_version "$v1"
	check "N+1: the module of every kernel is $v1 (modinfo -F version)" module_is "$v1"
	check "N+1: the user's /etc/modprobe.d/xyz.conf is kept" cmp /tmp/user-xyz.conf /etc/modprobe.d/xyz.conf
	check "N+1: N's sources and DKMS tree are gone (/usr/src/xyz-$v, /var/lib/dkms/xyz/$v)" \
		test ! -e "/usr/src/xyz-$v" -a ! -e "/var/lib/dkms/xyz/$v"
	check "N+1: dpkg has the four packages at $v1" \
		test "$(dpkg-query -W -f='${Version}\n' "${PKGS_IN[@]}" | sort -u)" = "$v1"
	return 0
}

# --- the host half ----------------------------------------------------------

# step NAME FUNCTION ROOT ARGS...: FUNCTION in an overlay of ROOT, its output
# in $o/NAME.log, how long it took there and here
step() {
	local name=$1 fn=$2 root=$3 t0=$SECONDS rc=0
	shift 3
	xyz_overlay_run "$root" "$OUT" bash -c "PKGS_IN=(${PKGS[*]}); $(declare -f "$fn"); $fn \"\$@\"" \
		"$fn" "$@" >"$o/$name.log" 2>&1 || rc=$?
	echo "# $r: $name took $((SECONDS - t0))s (exit status $rc)"
	return "$rc"
}

lintian_verdict() {	# TAP for the lintian tags of $o/lintian.log
	local tags allowed=''
	tags=$(grep -E '^[EW]: ' "$o/lintian.log" | sort -u || true)
	# Debian 12's lintian knows Standards-Version 4.6.2 at most
	[ "$r" != bookworm ] || allowed='^W: xyz source: newer-standards-version '
	if grep -q '^E: ' <<<"$tags"; then
		xyz_tap fail "$r: lintian ($(head -n 1 "$o/lintian.log")): no error, no warning" \
			"$(grep -E '^[EW]: ' <<<"$tags")"
	elif [ -n "$(grep -E '^W: ' <<<"$tags" | grep -vE "${allowed:-^$}" || true)" ]; then
		xyz_tap fail "$r: lintian ($(head -n 1 "$o/lintian.log")): no error, no warning" \
			"$(grep -E '^W: ' <<<"$tags")"
	else
		xyz_tap ok "$r: lintian ($(head -n 1 "$o/lintian.log")) --pedantic: no error, no warning${allowed:+ but newer-standards-version}"
		grep -E '^[IP]: ' "$o/lintian.log" | sort -u | sed 's/^/# /' || true
	fi
}

run_release() {
	local r=$1 o=$OUT/$1 build_root test_root kernels k t0 line name res why
	kernels=$(release_kernels "$r") || return 1
	rm -rf "$o" && mkdir -p "$o"
	xyz_log "$r: kernels $(tr '\n' ' ' <<<"$kernels")"

	build_root=$ROOTS/build-$r
	xyz_cached_root "$build_root" "$r-security" \
		"build-essential,debhelper,dh-dkms,liburing-dev,pkg-config,python3,lintian"
	if step build in_build "$build_root" "$r" "$VERSION" "$NEXT"; then
		xyz_tap ok "$r: dpkg-buildpackage builds ${PKGS[*]} from HEAD ($VERSION, and $NEXT for the upgrade)"
	else
		xyz_tap fail "$r: dpkg-buildpackage from HEAD" "$(tail -n 5 "$o/build.log")"
		return 0
	fi
	! want lintian || lintian_verdict

	test_root=$ROOTS/test-$r-$(tr '\n' '+' <<<"$kernels" | sed 's/+$//')
	local hdrs=''
	for k in $kernels; do hdrs="$hdrs,linux-headers-$k"; done
	xyz_cached_root "$test_root" "$r-security" "ca-certificates,autopkgtest,autodep8,piuparts$hdrs"

	if want autopkgtest; then
		step autopkgtest in_autopkgtest "$test_root" "$r" "$VERSION" || true
		if [ ! -s "$o/autopkgtest.summary" ]; then
			xyz_tap fail "$r: autopkgtest" "no summary ($o/autopkgtest.log)"
		else
			while read -r name res why; do
				case "$res" in
				PASS) xyz_tap ok "$r: autopkgtest $name${why:+ $why}" ;;
				SKIP) xyz_tap skip "$r: autopkgtest $name" "$why" ;;
				*) xyz_tap fail "$r: autopkgtest $name" "$res $why; log $o/autopkgtest/log" ;;
				esac
			done <"$o/autopkgtest.summary"
			grep -h '^I: \(PASS\|SKIP\|FAIL\) ' "$o/autopkgtest.log" |
				sed 's/^/# dkms-autopkgtest: /' || true
		fi
	fi

	if want piuparts; then
		t0=$SECONDS
		mmdebstrap --quiet --variant=minbase "$r" "$o/piuparts-base.tar.gz" \
			"$(xyz_apt_dir "$r-security")/sources/debian.sources" >"$o/piuparts-base.log" 2>&1 ||
			xyz_tap fail "$r: piuparts" "mmdebstrap of its base failed ($o/piuparts-base.log)"
		echo "# $r: piuparts's base tarball (mmdebstrap --variant=minbase) took $((SECONDS - t0))s"
	fi
	if [ -f "$o/piuparts-base.tar.gz" ]; then
		if step piuparts in_piuparts "$test_root" "$r" "$VERSION"; then
			xyz_tap ok "$r: piuparts: ${PKGS[*]} install, remove and purge, nothing left behind"
		else
			xyz_tap fail "$r: piuparts" "$(grep -E 'FAIL|ERROR' "$o/piuparts.log" | head -n 10)"
		fi
		rm -f "$o/piuparts-base.tar.gz"
	fi

	want upgrade || return 0
	# shellcheck disable=SC2086
	step upgrade in_upgrade "$test_root" "$r" "$VERSION" "$NEXT" $kernels || true
	if [ ! -s "$o/upgrade.checks" ]; then
		xyz_tap fail "$r: upgrade $VERSION -> $NEXT" "no results ($o/upgrade.log)"
	else
		while read -r res line; do
			if [ "$res" = ok ]; then xyz_tap ok "$r: upgrade: $line"; else xyz_tap fail "$r: upgrade: $line" "log: $o/upgrade.log"; fi
		done <"$o/upgrade.checks"
	fi
}

start=$SECONDS
mkdir -p "$OUT"
rm -rf "$OUT/src" && mkdir -p "$OUT/src/xyz-$VERSION"
if [ -n "$(git -C "$XYZ_TOP" status --porcelain --untracked-files=no)" ]; then
	xyz_log "note: uncommitted changes are not tested, only HEAD"
fi
git -C "$XYZ_TOP" archive HEAD | tar -x -C "$OUT/src/xyz-$VERSION"
echo "TAP version 13"
for r in "${releases[@]}"; do
	run_release "$r"
done
echo "# debian-tests took $((SECONDS - start))s"
echo "$npass passed, $nfail failed, $nskip skipped"
[ "$nfail" = 0 ]
