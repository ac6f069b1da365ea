#!/usr/bin/env bash
# xyz under DKMS (Debian 12's dkms 3.0.10, Debian 13's 3.2), see docs/dkms.md.
#
# usage: scripts/pkg/dkms.sh install [KVER...]
#        scripts/pkg/dkms.sh uninstall
#        scripts/pkg/dkms.sh test
#
#   install    copy the module's sources (dkms.conf, Kbuild, module/, include/)
#              to /usr/src/xyz-VERSION, `dkms add` them, then `dkms build` and
#              `dkms install` for each KVER (default: the running kernel).
#              Any xyz already registered with DKMS is removed first.
#   uninstall  `dkms remove xyz/VERSION --all`, delete /usr/src/xyz-VERSION
#   test       the round trip on the kernels of scripts/kernel-matrix that
#              this machine's compiler builds, the DKMS-built module booted
#              in the VM with the selftests (XYZ_CHECK_REDUCED=1: on the
#              newest of them);
#              prints TAP and ends with "N passed, N failed, N skipped".
#              A machine with xyz in DKMS already is left alone (the test
#              skips, and says why) unless XYZ_DKMS_TEST_REPLACE=1: then
#              the test removes it, before and after.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

NAME=xyz
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$XYZ_TOP/dkms.conf")
[ -n "$VERSION" ] || xyz_die "no PACKAGE_VERSION in $XYZ_TOP/dkms.conf"
SRC=/usr/src/$NAME-$VERSION

# A version that a Debian package (xyz-dkms) installed belongs to dpkg: its
# /usr/src tree, and DKMS's copy, go when the package goes. Touching it here
# would leave dpkg's records wrong, so install, uninstall and test stop.
refuse_packaged() {
	local d owner
	for d in /usr/src/"$NAME"-*; do
		[ -e "$d" ] || continue
		owner=$(dpkg-query -S "$d" 2>/dev/null | sed -n 's/^\([^:]*\): .*/\1/p' | head -n 1) ||
			true
		[ -z "$owner" ] ||
			xyz_die "$NAME/${d#/usr/src/$NAME-} belongs to the package $owner" \
				"(dpkg-query -S $d), which has DKMS build it for every kernel" \
				"already; to use $0 instead: apt-get purge $owner"
	done
}

need_dkms() {
	command -v dkms >/dev/null ||
		xyz_die "dkms is not installed: apt-get install dkms"
}

# dkms prints readelf noise on stderr for every kernel whose headers ship a
# vmlinux without .comment (Debian's 6.12): keep stderr, drop that line only.
dkms_() {
	xyz_root dkms "$@" 2> >(grep -v "readelf: Warning: Section '.comment'" >&2)
}

# The installed module of a kernel: xyz.ko, or compressed like the kernel's own.
installed_ko() {
	local f
	for f in /lib/modules/"$1"/updates/dkms/$NAME.ko{,.xz,.gz,.zst}; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# The sources a DKMS build needs, and nothing else (no objects of an in-tree
# build): dkms.conf, Kbuild, module/*.[chS], include/**.h.
stage_source() {
	local tmp
	tmp=$(mktemp -d)
	(cd "$XYZ_TOP" &&
	 cp dkms.conf Kbuild "$tmp/" &&
	 find module include -type f \( -name '*.[chS]' \) \
		-exec cp --parents {} "$tmp/" \;)
	xyz_root rm -rf "$SRC"
	xyz_root mkdir -p "$SRC"
	xyz_root cp -r "$tmp/." "$SRC/"
	rm -rf "$tmp"
}

# Every version of xyz DKMS knows, and its sources in /usr/src.
registered_versions() {
	local d
	# version directories; not the kernel-KVER-ARCH links, nor original_module
	for d in "/var/lib/dkms/$NAME"/*; do
		if [ ! -d "$d" ] || [ -L "$d" ]; then continue; fi
		d=${d##*/}
		[ "$d" = original_module ] || echo "$d"
	done
}

remove_all() {
	local v
	for v in $(registered_versions); do
		xyz_log "dkms remove $NAME/$v --all"
		dkms_ remove "$NAME/$v" --all >&2 || true
		xyz_root rm -rf "/usr/src/$NAME-$v"
	done
	# what dkms forgets or never knew: its module directory, sources never
	# added, modules installed by hand or by a dkms tree deleted by hand
	xyz_root rm -rf "/var/lib/dkms/$NAME"
	xyz_root rm -rf /usr/src/"$NAME"-[0-9]*
	local ko k
	for ko in /lib/modules/*/updates/dkms/"$NAME".ko{,.xz,.gz,.zst}; do
		[ -e "$ko" ] || continue
		xyz_log "removing the stray $ko"
		xyz_root rm -f "$ko"
		k=${ko#/lib/modules/}
		xyz_root depmod -a "${k%%/*}"
	done
}

cmd_install() {
	local kver kvers=("$@") failed=()
	need_dkms
	refuse_packaged
	if [ ${#kvers[@]} = 0 ]; then
		kver=$(uname -r)
		[ -e "/lib/modules/$kver/build/include" ] ||
			xyz_die "no headers for the running kernel $kver (/lib/modules/$kver/build):" \
				"apt-get install linux-headers-$kver, or name the kernels:" \
				"$0 install KVER..."
		kvers=("$kver")
	fi
	for kver in "${kvers[@]}"; do
		[ -e "/lib/modules/$kver/build/include" ] ||
			xyz_die "no headers for $kver: apt-get install linux-headers-$kver"
	done
	remove_all
	xyz_log "copying the sources to $SRC"
	stage_source
	dkms_ add "$NAME/$VERSION"
	for kver in "${kvers[@]}"; do
		if dkms_ build "$NAME/$VERSION" -k "$kver" &&
		   dkms_ install "$NAME/$VERSION" -k "$kver"; then
			xyz_log "installed $(installed_ko "$kver")"
		else
			failed+=("$kver")
		fi
	done
	dkms_ status "$NAME/$VERSION" >&2
	[ ${#failed[@]} = 0 ] || xyz_die "DKMS failed for ${failed[*]}" \
		"(logs: /var/lib/dkms/$NAME/$VERSION/build/make.log)"
	# DKMS's certificate: Debian's /var/lib/dkms/mok.pub, Ubuntu's
	# /var/lib/shim-signed/mok/MOK.der, or framework.conf's (sign.sh --cert)
	local cert
	cert=$("$XYZ_TOP/scripts/pkg/sign.sh" --cert)
	if command -v mokutil >/dev/null &&
	   mokutil --sb-state 2>/dev/null | grep -q 'SecureBoot enabled' &&
	   ! mokutil --test-key "$cert" 2>/dev/null | grep -q 'already enrolled'; then
		xyz_log "Secure Boot is on and DKMS's key is not enrolled yet: modprobe would say" \
			"'Key was rejected by service'. Enrol it: mokutil --import $cert, reboot," \
			"MokManager: Enroll MOK (docs/dkms.md)"
	fi
	xyz_log "done: modprobe $NAME (on a kernel it was built for)"
}

cmd_uninstall() {
	need_dkms
	refuse_packaged
	if [ -d "/sys/module/$NAME" ]; then
		xyz_log "note: $NAME is loaded; modprobe -r $NAME to unload it"
	fi
	if [ -d "/var/lib/dkms/$NAME/$VERSION" ]; then
		dkms_ remove "$NAME/$VERSION" --all
	else
		xyz_log "$NAME/$VERSION is not registered with DKMS"
	fi
	xyz_root rm -rf "$SRC"
	# nothing of ours left: drop the module's directory once no version is
	xyz_root rmdir "/var/lib/dkms/$NAME" 2>/dev/null || true
}

# --- test ------------------------------------------------------------------

n=0 npass=0 nfail=0 nskip=0
log=
# refused DESCRIPTION RC COMMAND...: ok when COMMAND exits with status RC
# refused DESCRIPTION EXIT_STATUS_REGEX COMMAND...
refused() {
	local desc=$1 want=$2 out rc=0
	shift 2
	echo "### $desc: $*" >>"$log"
	out=$("$@" 2>&1) || rc=$?
	printf '%s\n(exit status %s)\n' "$out" "$rc" >>"$log"
	if [[ "$rc" =~ ^($want)$ ]]; then
		xyz_tap ok "$desc"
	else
		xyz_tap fail "$desc" "exit status $rc, wanted $want; $(printf '%s\n' "$out" | tail -n 3)"
	fi
}

leftovers() {
	local found
	found=$( { [ -e "/var/lib/dkms/$NAME" ] && echo "/var/lib/dkms/$NAME"
		   ls -d /usr/src/"$NAME"-* 2>/dev/null
		   find /lib/modules/*/updates -name "$NAME.ko*" 2>/dev/null; } || true)
	if [ -n "$found" ]; then
		echo "left behind:"; echo "$found"
		return 1
	fi
}

staged_tree_is_minimal() {
	stage_source
	find "$SRC" | sort
	diff <(cd "$SRC" && ls | LC_ALL=C sort) <(printf '%s\n' Kbuild dkms.conf include module)
}

only_source_registered() {	# dkms add made build/ and source, no KVER/
	ls "/var/lib/dkms/$NAME/$VERSION"
	local e
	for e in "/var/lib/dkms/$NAME/$VERSION"/*; do
		case "${e##*/}" in build|source) ;; *) return 1 ;; esac
	done
}

drop_source_and_check() {
	xyz_root rm -rf "$SRC"
	leftovers
}

is_installed() {	# dkms status says installed for this kernel
	local out line
	out=$(dkms_ status "$NAME/$VERSION" -k "$1")
	echo "$out"
	while read -r line; do
		[[ "$line" == "$NAME/$VERSION, $1, "*": installed" ]] && return 0
	done <<<"$out"
	return 1
}

vermagic_is() {	# the installed module's vermagic starts with KVER
	local ko vm
	ko=$(installed_ko "$1") || { echo "no $NAME.ko* in /lib/modules/$1/updates/dkms"; return 1; }
	vm=$(modinfo -F vermagic "$ko")
	echo "$ko: vermagic $vm"
	[[ "$vm" == "$1 "* ]]
}

version_is() {
	local ko v
	ko=$(installed_ko "$1") || return 1
	v=$(modinfo -F version "$ko")
	echo "$ko: version $v"
	[ "$v" = "$VERSION" ]
}

# A kernel whose .config lacks CONFIG_KPROBES, one of BUILD_EXCLUSIVE_CONFIG:
# KVER's real headers with only that line dropped. DKMS must refuse it before
# make runs (exit 77, its BUILD_EXCLUSIVE message), not fail in the compiler.
# A copy of the headers' tree, of links, whose .config and
# include/config/auto.conf (which dkms 3.2 reads first) lack CONFIG_KPROBES.
refuses_config() {	# refuses_config KVER KDIR
	local fake out rc=0 e
	fake=$(mktemp -d)
	for e in "$2"/* "$2"/.[!.]*; do
		case "${e##*/}" in
		.config|include) ;;
		*) ln -s "$e" "$fake/${e##*/}" ;;
		esac
	done
	mkdir -p "$fake/include/config"
	for e in "$2"/include/*; do
		[ "${e##*/}" = config ] || ln -s "$e" "$fake/include/${e##*/}"
	done
	for e in "$2"/include/config/*; do
		[ "${e##*/}" = auto.conf ] || ln -s "$e" "$fake/include/config/${e##*/}"
	done
	grep -v '^CONFIG_KPROBES=' "$2/.config" >"$fake/.config"
	if [ -f "$2/include/config/auto.conf" ]; then
		grep -v '^CONFIG_KPROBES=' "$2/include/config/auto.conf" \
			>"$fake/include/config/auto.conf"
	fi
	out=$(dkms_ build "$NAME/$VERSION" -k "$1" --kernelsourcedir "$fake" 2>&1) || rc=$?
	rm -rf "$fake"
	printf '%s\n(exit status %s)\n' "$out" "$rc"
	[ "$rc" = 77 ] && grep -q 'BUILD_EXCLUSIVE directive' <<<"$out" &&
		! grep -qiE 'error:|make\.log' <<<"$out"
}

# boot KVER with the installed module; the selftests' result line folded in
vm_test() {
	local kver=$1 ko tmp rc=0
	local desc="$kver: selftests in the VM with the DKMS-built module"
	ko=$(installed_ko "$kver") || { xyz_tap fail "$desc" "no installed module"; return; }
	tmp=$(mktemp -d)
	case "$ko" in
	*.xz)  xz -dc "$ko" >"$tmp/xyz.ko" ;;
	*.gz)  gzip -dc "$ko" >"$tmp/xyz.ko" ;;
	*.zst) zstd -qdc "$ko" >"$tmp/xyz.ko" ;;
	*)     cp "$ko" "$tmp/xyz.ko" ;;
	esac
	echo "### $desc: vm-run.sh --tests --ko $ko" >>"$log"
	xyz_log "booting $kver with $ko (about 1-2 minutes under TCG)"
	# CI's reduced run: the door tests in auto's mode (the full run of the
	# same source on this kernel is the VM step's)
	XYZ_SERIAL_LOG=$XYZ_BUILD/dkms/serial-$kver.log \
		XYZ_MODES_QUICK=${XYZ_CHECK_REDUCED:+1} \
		"$XYZ_TOP/scripts/vm-run.sh" --tests --ko "$tmp/xyz.ko" "$kver" \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
	cat "$tmp/err" "$tmp/out" >>"$log"
	# the selftests' TAP stays in the log; their failures and verdict here
	grep -hE '^\[[^]]*\] (not ok |FAILED|[0-9]+ passed)' "$tmp/out" "$tmp/err" |
		sed 's/^/# /' || true
	xyz_tap_vm "$desc" "$kver" "$rc" "$log" <"$tmp/out"
	rm -rf "$tmp"
}

# The test's kernels are not installed on the machine (their headers are
# unpacked in the cache), but dkms install refuses a kernel without
# /lib/modules/KVER, and dkms.sh install one without /lib/modules/KVER/build.
# Make what is missing, as the image and headers packages would, remember it
# in made_here, and remove exactly that again on the way out.
made_here=()
pretend_installed() {	# pretend_installed KVER KDIR
	if [ ! -e "/lib/modules/$1" ]; then
		xyz_root mkdir -p "/lib/modules/$1"
		made_here+=("/lib/modules/$1")
	fi
	if [ ! -e "/lib/modules/$1/build" ]; then
		xyz_root ln -s "$2" "/lib/modules/$1/build"
		made_here+=("/lib/modules/$1/build")
	fi
}
unpretend() {
	local i
	for ((i = ${#made_here[@]} - 1; i >= 0; i--)); do
		xyz_root rm -rf "${made_here[$i]}"
	done
	made_here=()
}

cmd_test() {
	local start kernels kver k1
	start=$(date +%s)
	# A user's own xyz in DKMS (make dkms-install, the xyz-dkms package) is
	# left alone: the round trip would remove it.
	local theirs
	theirs=$(registered_versions; ls -d /usr/src/"$NAME"-[0-9]* 2>/dev/null || true)
	if [ -n "$theirs" ] && [ -z "${XYZ_DKMS_TEST_REPLACE:-}" ]; then
		echo "TAP version 13"
		xyz_tap skip "the DKMS round trip" "this machine has $NAME in DKMS already ($(echo $theirs)): the test would remove it, so it leaves it alone; XYZ_DKMS_TEST_REPLACE=1 lets it (not for a package's: apt-get purge xyz-dkms)"
		echo "$npass passed, $nfail failed, $nskip skipped"
		return 0
	fi
	refuse_packaged
	"$XYZ_TOP/scripts/install-deps.sh" || xyz_die "cannot install the dependencies"
	mkdir -p "$XYZ_BUILD/dkms"
	log=$XYZ_BUILD/dkms/test.log
	: >"$log"
	xyz_log "dkms test of $NAME/$VERSION, log: $log"
	kernels=$(xyz_matrix amd64) || xyz_die "cannot resolve the kernel matrix"
	declare -A kdir
	trap unpretend EXIT
	# the kernels this machine's dkms can build for: their unpacked headers
	for kver in $kernels; do
		xyz_host_builds "$kver" || continue
		kdir[$kver]=$(xyz_kernel_headers "$kver")
		pretend_installed "$kver" "${kdir[$kver]}"
	done
	echo "TAP version 13"

	xyz_check "clean start: no $NAME in DKMS" remove_all
	xyz_check "the DKMS source tree holds dkms.conf, Kbuild, module/, include/ only" \
		staged_tree_is_minimal
	xyz_check "dkms add $NAME/$VERSION" dkms_ add "$NAME/$VERSION"

	# what the package must refuse, before anything is built
	# (dkms 3.0 exits 1, 3.2 exits 21)
	refused "refuses a kernel without headers (6.1.0-999-amd64): dkms exits 1 or 21" '1|21' \
		dkms_ build "$NAME/$VERSION" -k 6.1.0-999-amd64
	# the first and the newest of the machine's own kernels (see the loop
	# below); no "| head" under pipefail: SIGPIPE would end the script
	local own=
	for kver in $kernels; do
		! xyz_host_builds "$kver" || own="$own $kver"
	done
	[ -n "$own" ] || xyz_die "no kernel of the matrix is built by this machine's compiler"
	k1=$(awk '{ print $1 }' <<<"$own")
	kn=$(awk '{ print $NF }' <<<"$own")
	refused "refuses a non-x86_64 arch (BUILD_EXCLUSIVE_ARCH, $k1 -a aarch64): dkms exits 77" 77 \
		dkms_ build "$NAME/$VERSION" -k "$k1" -a aarch64
	refused "refuses an untested line between 5.10 and 6.1 (BUILD_EXCLUSIVE_KERNEL, 5.15.0-1-amd64): dkms exits 77" 77 \
		dkms_ build "$NAME/$VERSION" -k 5.15.0-1-amd64
	refused "refuses a kernel older than 5.10 (BUILD_EXCLUSIVE_KERNEL, 4.19.0-27-amd64): dkms exits 77" 77 \
		dkms_ build "$NAME/$VERSION" -k 4.19.0-27-amd64
	xyz_check "refuses $k1 without CONFIG_KPROBES (BUILD_EXCLUSIVE_CONFIG): dkms exits 77 with its message, no compiler run" \
		refuses_config "$k1" "${kdir[$k1]}"
	xyz_check "the refusals built nothing" only_source_registered

	for kver in $kernels; do
		# The machine's dkms builds with the machine's compiler: kernels
		# built by another (5.10: gcc-10, sid: gcc-16, another Debian
		# release's) are built in their own roots by the other steps, not
		# by this dkms (docs/testing.md).
		if ! xyz_host_builds "$kver"; then
			xyz_tap skip "$kver: the DKMS round trip" \
				"built by $(xyz_kernel_cc "$kver" | cut -d' ' -f1), which this machine's dkms does not have"
			continue
		fi
		# the headers are unpacked in the cache, not installed
		xyz_check "$kver: dkms build" dkms_ build "$NAME/$VERSION" -k "$kver" \
			--kernelsourcedir "${kdir[$kver]}"
		[ "$passed" = 0 ] ||
			xyz_check "$kver: dkms install" dkms_ install "$NAME/$VERSION" -k "$kver"
		if [ "$passed" = 0 ]; then
			xyz_tap skip "$kver: the module's checks and the VM" "no installed module"
			continue
		fi
		xyz_check "$kver: the module's vermagic starts with $kver" vermagic_is "$kver"
		xyz_check "$kver: the module's version is $VERSION (from dkms.conf)" version_is "$kver"
		xyz_check "$kver: dkms status says installed" is_installed "$kver"
		# CI's reduced run (docs/testing.md): the VM, a repetition of the
		# selftests, on the newest of them only
		if [ -n "${XYZ_CHECK_REDUCED:-}" ] && [ "$kver" != "$kn" ]; then
			xyz_tap skip "$kver: selftests in the VM with the DKMS-built module" \
				"XYZ_CHECK_REDUCED: the VM on $kn only"
			continue
		fi
		vm_test "$kver"
	done

	xyz_check "dkms remove $NAME/$VERSION --all" dkms_ remove "$NAME/$VERSION" --all
	xyz_check "nothing left behind once /usr/src/$NAME-$VERSION is deleted" \
		drop_source_and_check

	# the user's way: make dkms-install / make dkms-uninstall
	xyz_check "dkms.sh install $k1" "$XYZ_TOP/scripts/pkg/dkms.sh" install "$k1"
	xyz_check "$k1: dkms status says installed after dkms.sh install" is_installed "$k1"
	xyz_check "dkms.sh uninstall" "$XYZ_TOP/scripts/pkg/dkms.sh" uninstall
	xyz_check "nothing left behind after dkms.sh uninstall" leftovers

	echo "# dkms test took $(($(date +%s) - start))s"
	echo "$npass passed, $nfail failed, $nskip skipped"
	[ "$nfail" = 0 ]
}

case "${1:-}" in
install)   shift; cmd_install "$@" ;;
uninstall) shift; [ $# = 0 ] || xyz_die "usage: $0 uninstall"; cmd_uninstall ;;
test)      shift; [ $# = 0 ] || xyz_die "usage: $0 test"; cmd_test ;;
*)         xyz_die "usage: $0 install [KVER...] | uninstall | test" ;;
esac
