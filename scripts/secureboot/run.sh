#!/usr/bin/env bash
# make secureboot: xyz on a Secure Boot machine, as Debian 13 boots one.
#
# usage: scripts/secureboot/run.sh [--no-tests] [--run CMD] [--shell] [KERNEL_RELEASE]
#
# Boots Debian's signed chain in QEMU (q35, SMM) under OVMF with Secure Boot
# on and Microsoft's keys enrolled (Debian's ovmf: OVMF_CODE_4M.secboot.fd,
# OVMF_VARS_4M.ms.fd): shim-signed (signed by Microsoft), grub-efi-amd64-
# signed and the signed linux-image-KERNEL_RELEASE (signed by Debian), from
# a disk image built here (scripts/secureboot/root.sh), no network in the
# guest. KERNEL_RELEASE: Debian 13's newest 6.12.*+deb13-amd64 by default.
#
# Twice, from the same disk:
#   1. the variable store as Debian ships it: Secure Boot enabled, lockdown
#      integrity, and both the hand-built xyz.ko (unsigned) and the one the
#      xyz-dkms package built (signed with DKMS's key) refused: "Key was
#      rejected by service";
#   2. the same store with DKMS's certificate in MokList (what `mokutil
#      --import` and MokManager do, pre-seeded with virt-fw-vars, see
#      docs/dkms.md): the unsigned module still refused, DKMS's loads, and
#      the selftests run with it in every hook mode (xyz_modes.sh).
#
#   --no-tests  leave the selftests out (a quick look: about 2 minutes less)
#   --run CMD   run CMD (sh -c, in /xyz/xyz) last in the enrolled boot, with
#               DKMS's module installed in /lib/modules/<release>/updates/dkms,
#               DKMS's certificate in /var/lib/dkms/mok.pub, mokutil and the
#               xyz command; its output is printed
#   --shell     an interactive shell at the end of the enrolled boot
#
# Prints TAP, the cause and the fix when an unsigned module is refused, and
# last: "secure boot: enabled, lockdown: integrity, unsigned: refused,
# signed: loaded, selftests: N passed, N failed". Exit status 0 when all of
# that is as it should be. Serial logs and everything built: build/secureboot/.
# Needs root (mmdebstrap, an overlay mount, chroot); re-runs itself with sudo.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../roots.sh"

SUITE=${XYZ_SB_SUITE:-trixie-security}	# Debian 13 and its security updates
PATTERN='6\.12\.[0-9]+\+deb13-amd64'
SB=$XYZ_CACHE/secureboot
OUT=$XYZ_BUILD/secureboot
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$XYZ_TOP/dkms.conf")
[ -n "$VERSION" ] || xyz_die "no PACKAGE_VERSION in $XYZ_TOP/dkms.conf"

tests=1 run_cmd='' shell='' kver=''
[ "$(id -u)" = 0 ] || exec sudo -- env XYZ_CACHE="$XYZ_CACHE" XYZ_BUILD="$XYZ_BUILD" "$0" "$@"
while [ $# -gt 0 ]; do
	case "$1" in
	--no-tests) tests=; shift ;;
	--run) run_cmd=$2; shift 2 ;;
	--shell) shell=1; shift ;;
	-*) xyz_die "unknown option $1" ;;
	*) kver=$1; shift ;;
	esac
done
start=$SECONDS

if [ -z "$kver" ]; then
	# linux-image-<release> is the signed image; -unsigned and -dbg do not match
	kver=$(xyz_apt "$SUITE" apt-cache search --names-only "^linux-image-${PATTERN}\$" |
		sed 's/^linux-image-\([^ ]*\) .*/\1/' | sort -V | tail -n 1)
	[ -n "$kver" ] || xyz_die "no linux-image-$PATTERN in $SUITE"
fi

# --- the boot chain's parts, downloaded once per version -------------------

# sb_part PKG: the package unpacked in the cache (one directory per version)
sb_part() {
	local pkg=$1 ver dir
	ver=$(xyz_apt "$SUITE" apt-cache show --no-all-versions "$pkg" | sed -n 's/^Version: //p')
	[ -n "$ver" ] || xyz_die "no package $pkg in $SUITE"
	dir=$SB/parts/${pkg}_$ver
	if [ ! -f "$dir/.done" ]; then
		xyz_log "fetching $pkg $ver ($SUITE)"
		rm -rf "$dir" && mkdir -p "$dir/deb"
		(cd "$dir/deb" && xyz_apt "$SUITE" apt-get download -q "$pkg" >&2) ||
			xyz_die "cannot download $pkg"
		dpkg-deb -x "$dir"/deb/*.deb "$dir/root"
		rm -rf "$dir/deb" && touch "$dir/.done"
	fi
	echo "$pkg $ver" >>"$OUT/versions.txt"
	echo "$dir/root"
}

get_parts() {
	local d p=$OUT/parts
	mkdir -p "$p"
	: >"$OUT/versions.txt"
	d=$(sb_part ovmf)
	cp "$d/usr/share/OVMF/OVMF_CODE_4M.secboot.fd" "$d/usr/share/OVMF/OVMF_VARS_4M.ms.fd" "$p/"
	d=$(sb_part shim-signed)
	cp "$d/usr/lib/shim/shimx64.efi.signed" "$p/shimx64.efi"
	d=$(sb_part shim-helpers-amd64-signed)
	cp "$d/usr/lib/shim/mmx64.efi.signed" "$p/mmx64.efi"
	d=$(sb_part grub-efi-amd64-signed)
	cp "$d/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" "$p/grubx64.efi"
}

# --- the Debian 13 root -----------------------------------------------------

# A Debian 13 root with dkms, the kernel's headers (which bring its signed
# image) and the tools the disk needs, made once per kernel (about a minute)
# and then only used through throwaway overlays (scripts/roots.sh).
make_root() {
	xyz_cached_root "$SB/root-$kver" "$SUITE" \
		"dkms,linux-headers-$kver,openssl,pahole,build-essential,debhelper,dh-dkms,liburing-dev,pkg-config,python3,python3-virt-firmware,mtools,dosfstools,fdisk,sbsigntool,mokutil,cpio,xz-utils"
}

# --- the initramfs's host half ----------------------------------------------

# What vm-run.sh puts in its initramfs (busybox, the kselftest runner, the
# selftests, the static xyz tools, /init), built with the machine's
# compilers; the root adds the modules, mokutil and the initramfs itself.
stage_initramfs() {
	local ir=$OUT/initramfs ksft sdir=$XYZ_BUILD/selftests v
	locked() { flock "$XYZ_BUILD/.build.lock" "$@"; }
	rm -rf "$ir" && mkdir -p "$ir"/{bin,lib/modules,xyz/xyz,xyz/kselftest,usr/bin}
	ksft=$(xyz_kselftest_dir)/tools/testing/selftests
	xyz_log "building the selftests and the xyz tools (static)"
	mkdir -p "$sdir"
	locked make -s -C "$XYZ_TOP/selftests/xyz" KSFT_DIR="$ksft" OUTPUT="$sdir" all >&2
	locked make -s -C "$XYZ_TOP/userspace" vm-install DESTDIR="$ir" >&2
	cp /bin/busybox "$ir/bin/busybox"
	cp "$ksft"/kselftest/{runner.sh,prefix.pl,ktap_helpers.sh,module.sh} "$ir/xyz/kselftest/"
	cp "$sdir"/xyz_* "$XYZ_TOP"/selftests/xyz/{*.sh,settings,config} "$ir/xyz/xyz/"
	cp "$XYZ_TOP/scripts/vm/init.sh" "$ir/init"
	cp "$XYZ_TOP/scripts/secureboot/guest.sh" "$ir/xyz/xyz/secureboot.sh"
	[ -z "$run_cmd" ] || printf '%s\n' "$run_cmd" >"$ir/xyz/xyz/run.sh"
	for v in XYZ_FUZZ_SECONDS XYZ_FUZZ_SEED XYZ_STRESS_SECONDS XYZ_MODES_QUICK; do
		[ -z "${!v:-}" ] || printf 'export %s=%q\n' "$v" "${!v}"
	done >"$ir/xyz/env"
	[ -n "$tests" ] || echo 'export XYZ_SB_NO_TESTS=1' >>"$ir/xyz/env"
	[ -z "$shell" ] || echo 'export XYZ_SB_SHELL=1' >>"$ir/xyz/env"
}

# --- the boots --------------------------------------------------------------

# boot NAME VARS: the disk under OVMF with Secure Boot; serial log in
# $OUT/serial-NAME.log. Each boot gets its own copy of the variable store.
boot() {
	local name=$1 vars=$OUT/$2 log=$OUT/serial-$1.log t0=$SECONDS rc=0
	cp "$vars" "$OUT/vars-$name.run.fd"
	# shellcheck disable=SC2054
	local qemu=(qemu-system-x86_64 -machine q35,smm=on -accel tcg,thread=single
		-cpu max -smp 2 -m 1024 -no-reboot -display none -monitor none
		-global driver=cfi.pflash01,property=secure,value=on
		-global ICH9-LPC.disable_s3=1
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OUT/parts/OVMF_CODE_4M.secboot.fd"
		-drive "if=pflash,format=raw,unit=1,file=$OUT/vars-$name.run.fd"
		-drive "if=none,id=disk,format=raw,readonly=on,file=$OUT/disk.img"
		-device virtio-blk-pci,drive=disk)
	xyz_log "booting $kver under OVMF, Secure Boot on ($name), serial log: $log"
	if [ -n "$shell" ] && [ "$name" = enrolled ]; then
		"${qemu[@]}" -serial mon:stdio
		return
	fi
	# the firmware's and grub's escape sequences out, the kernel's lines kept
	timeout "${XYZ_VM_TIMEOUT:-2700}" "${qemu[@]}" -serial stdio </dev/null 2>&1 |
		tr -d '\r' | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' >"$log" || rc=$?
	rm -f "$OUT/vars-$name.run.fd"
	echo "# boot $name took $((SECONDS - t0))s under TCG (QEMU's exit status $rc)"
	[ "$rc" != 124 ] || echo "# boot $name: timed out after ${XYZ_VM_TIMEOUT:-2700}s"
}

# sbval LOG KEY: the guest's "XYZ-SB KEY=value"
sbval() { sed -n "s/^XYZ-SB $2=//p" "$1" | head -n 1; }

# shellcheck disable=SC2034	# xyz_tap's counters (lib.sh)
n=0 npass=0 nfail=0 nskip=0
expect() {	# expect DESCRIPTION GOT WANT
	if [ "$2" = "$3" ]; then
		xyz_tap ok "$1"
	else
		xyz_tap fail "$1" "got '${2}', wanted '$3'"
	fi
}

# what a boot logged that no test may see
kernel_problems() {
	sed -n '/^XYZ-DMESG-BEGIN/,/^XYZ-DMESG-END/p;/^\[ *[0-9]*\.[0-9]*\]/p' "$1" |
		grep -E 'BUG:|WARNING:|Oops|Kernel panic|general protection fault|Call Trace|blocked for more than' || true
}

judge_before() {
	local log=$OUT/serial-before.log
	expect "before enrolment: the firmware booted shim, grub and the kernel to the tests" \
		"$(grep -c '^XYZ-BOOTED' "$log")" 1
	expect "before enrolment: the kernel says Secure Boot is enabled" "$(sbval "$log" secureboot)" enabled
	expect "before enrolment: lockdown is integrity" "$(sbval "$log" lockdown)" integrity
	expect "before enrolment: the hand-built, unsigned xyz.ko is refused" \
		"$(sbval "$log" unsigned)" refused
	expect "before enrolment: the xyz-dkms module, signed with DKMS's key, is refused (the key is not enrolled)" \
		"$(sbval "$log" signed)" refused
	expect "before enrolment: insmod says \"Key was rejected by service\"" \
		"$(sbval "$log" signed_said | grep -o 'Key was rejected by service')" "Key was rejected by service"
	expect "before enrolment: the module make sign signed with DKMS's key is refused" \
		"$(sbval "$log" make_sign)" refused
	expect "before enrolment: the kernel booted clean (no BUG/WARNING/Oops)" "$(kernel_problems "$log")" ""
}

judge_enrolled() {
	local log=$OUT/serial-enrolled.log p f s
	expect "enrolled: the firmware booted shim, grub and the kernel to the tests" \
		"$(grep -c '^XYZ-BOOTED' "$log")" 1
	expect "enrolled: the kernel loaded DKMS's certificate from MokList" \
		"$(grep -c "^XYZ-SB cert=DKMS module signing key$" "$log")" 1
	expect "enrolled: the kernel says Secure Boot is enabled" "$(sbval "$log" secureboot)" enabled
	expect "enrolled: lockdown is integrity" "$(sbval "$log" lockdown)" integrity
	expect "enrolled: the hand-built, unsigned xyz.ko is refused" "$(sbval "$log" unsigned)" refused
	expect "enrolled: insmod says \"Key was rejected by service\"" \
		"$(sbval "$log" unsigned_said | grep -o 'Key was rejected by service')" "Key was rejected by service"
	expect "enrolled: the xyz-dkms module, signed with DKMS's key, loads" "$(sbval "$log" signed)" loaded
	expect "enrolled: the hand-built module signed by make sign loads" "$(sbval "$log" make_sign)" loaded
	if [ -n "$tests" ]; then
		p=$(grep -E '^# ok [0-9]' "$log" | grep -vc '# SKIP' || true)
		s=$(grep -E '^# (ok|not ok) [0-9].*# SKIP' "$log" | grep -c . || true)
		f=$(grep -E '^# not ok [0-9]' "$log" | grep -vc '# SKIP' || true)
		grep -E '^# not ok [0-9]' "$log" | grep -v '# SKIP' | sed 's/^/# /' || true
		sel_pass=$p sel_fail=$f
		if [ $((p + f + s)) = 0 ]; then
			xyz_tap fail "enrolled: the selftests with the xyz-dkms module" "no results"
			sel_fail=1
		elif [ "$f" = 0 ] && grep -q '^XYZ-DONE rc=0' "$log"; then
			xyz_tap ok "enrolled: the selftests with the xyz-dkms module, every hook mode that routes ($p passed, $s skipped)"
		else
			xyz_tap fail "enrolled: the selftests with the xyz-dkms module" "$p passed, $f failed, $s skipped; $(grep '^XYZ-DONE' "$log")"
		fi
		grep -m 1 '^# # .*dispatch:' "$log" | sed 's/^# # /# /' || true
	else
		xyz_tap skip "enrolled: the selftests with the xyz-dkms module" "--no-tests"
	fi
	expect "enrolled: the kernel stayed clean (no BUG/WARNING/Oops)" "$(kernel_problems "$log")" ""
}

# The cause and the fix, when a module without a signature was refused.
explain_refusal() {
	local log=$OUT/serial-enrolled.log said cert=/var/lib/dkms/mok.pub
	[ "$(sbval "$log" unsigned)" = refused ] || return 0
	said=$(sbval "$log" unsigned_said)
	cat <<EOF
# The hand-built xyz.ko was refused: $said
#   (kernel: $(sbval "$log" unsigned_kernel))
# cause: Secure Boot is on, so the kernel is locked down ($(sbval "$log" lockdown)) and enforces module
#   signatures (module.sig_enforce=$(sbval "$log" sig_enforce)): it loads only modules signed by a key it trusts,
#   and a module built with make carries no signature (Debian's headers have no signing key).
# fix: sign it with DKMS's key (made as dkms makes it if there is none), then enrol that key once:
#   sudo make sign                      # or: sudo make modules_install
#   sudo mokutil --import $cert   # Ubuntu: /var/lib/shim-signed/mok/MOK.der
#   reboot; MokManager: Enroll MOK, Continue, Yes, the password
#   or install the xyz-dkms package: DKMS signs the module for every kernel (docs/dkms.md)
EOF
}

# --- main -------------------------------------------------------------------

mkdir -p "$SB" "$OUT"
rm -rf "$OUT"/{src,initramfs,parts} "$OUT"/serial-*.log
get_parts
make_root
stage_initramfs
xyz_log "the sources of HEAD (git archive) in $OUT/src"
mkdir -p "$OUT/src/xyz-$VERSION"
git -C "$XYZ_TOP" archive HEAD | tar -x -C "$OUT/src/xyz-$VERSION"
cp "$XYZ_TOP/scripts/secureboot/root.sh" "$OUT/root.sh"
t0=$SECONDS
xyz_overlay_run "$SB/root-$kver" "$OUT" bash /out/root.sh "$kver" "$VERSION" ||
	xyz_die "building the disk failed"
echo "# Debian 13 root: xyz-dkms built, installed, the disk made in $((SECONDS - t0))s"
sed 's/^/# /' "$OUT/module.txt"

echo "TAP version 13"
expect "DKMS signed the module it built (modinfo -F signer)" \
	"$(sed -n 's/^signer: //p' "$OUT/module.txt")" "DKMS module signing key"
while read -r st desc; do
	if [ "$st" = ok ]; then xyz_tap ok "$desc"; else xyz_tap fail "$desc" "log: $OUT/sign.log"; fi
done <"$OUT/checks.txt"
if [ -z "$shell" ]; then
	boot before vars-before.fd
	judge_before
fi
boot enrolled vars-enrolled.fd
[ -z "$shell" ] || exit 0
judge_enrolled
if [ -n "$run_cmd" ]; then
	echo "# --run $run_cmd:"
	sed -n '/^XYZ-SB-RUN-BEGIN/,/^XYZ-SB-RUN-END/{/^XYZ-SB-RUN-/d;p}' "$OUT/serial-enrolled.log"
fi
explain_refusal
echo "# serial logs: $OUT/serial-before.log $OUT/serial-enrolled.log"
echo "# make secureboot took $((SECONDS - start))s; $npass passed, $nfail failed, $nskip skipped"
sel_pass=${sel_pass:-0} sel_fail=${sel_fail:-0}
log=$OUT/serial-enrolled.log
echo "secure boot: $(sbval "$log" secureboot), lockdown: $(sbval "$log" lockdown)," \
	"unsigned: $(sbval "$log" unsigned), signed: $(sbval "$log" signed)," \
	"selftests: $sel_pass passed, $sel_fail failed"
[ "$nfail" = 0 ]
