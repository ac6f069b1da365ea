#!/bin/bash
# The Debian 13 half of scripts/secureboot/run.sh: runs as root inside a
# throwaway overlay of the cached Debian 13 root (dkms, the kernel's headers
# and its signed image, mtools, virt-fw-vars), with the host's work directory
# at /out. Builds what the VM boots, as a user's machine would:
#
#   - xyz-dkms from the sources in /out/src (dpkg-buildpackage -A), installed
#     with apt: dkms builds xyz.ko and signs it with its own key, which it
#     creates on this first use (/var/lib/dkms/mok.key, mok.pub);
#   - the same module built by hand (make -C headers M=...): unsigned;
#   - the selftests' fixture module, signed with DKMS's key (a test module
#     of ours: it must load under lockdown too);
#   - the initramfs (the host's staging tree in /out/initramfs plus these);
#   - two variable stores from Debian's OVMF_VARS_4M.ms.fd (Microsoft's
#     keys, Secure Boot on): as shipped, and with DKMS's certificate in
#     MokList, the variable MokManager writes on enrolment;
#   - a GPT disk whose EFI system partition holds shim (as the removable
#     media path EFI/BOOT/BOOTX64.EFI), grub, MokManager, grub.cfg, the signed
#     kernel and the initramfs: no loop device, mkfs.fat and mtools.
#
# usage (inside the root, as /out/root.sh): root.sh KERNEL_RELEASE VERSION
set -euo pipefail
kver=$1 version=$2
out=/out
log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
# shim's own GUID: mokutil --import gives each MokList entry this owner
SHIM_LOCK_GUID=605dab50-e046-4300-abb6-3dd810dd8b23
kdir=/usr/src/linux-headers-$kver
ir=$out/initramfs
export DEBIAN_FRONTEND=noninteractive

log "building xyz-dkms from HEAD (dpkg-buildpackage -A)"
rm -rf /tmp/build && mkdir -p /tmp/build
cp -a "$out/src/xyz-$version" /tmp/build/
(cd "/tmp/build/xyz-$version" &&
 DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -A) >"$out/build.log" 2>&1 ||
	{ tail -n 20 "$out/build.log" >&2; die "dpkg-buildpackage failed (log: $out/build.log)"; }
deb=$(ls /tmp/build/xyz-dkms_"$version"_all.deb)

log "apt-get install ./${deb##*/} (DKMS builds and signs xyz.ko for $kver)"
apt-get install -y -q --no-install-recommends "$deb" >"$out/dkms.log" 2>&1 ||
	{ tail -n 20 "$out/dkms.log" >&2; die "installing $deb failed (log: $out/dkms.log)"; }
dkms status >>"$out/dkms.log" 2>&1
ko=
for f in /lib/modules/"$kver"/updates/dkms/xyz.ko{,.xz,.gz,.zst}; do
	[ -f "$f" ] && ko=$f && break
done
[ -n "$ko" ] || die "DKMS installed no xyz.ko for $kver (log: $out/dkms.log)"
rm -rf "$ir/lib/modules" && mkdir -p "$ir/lib/modules/unsigned"
case "$ko" in
*.xz) xz -dc "$ko" >"$ir/lib/modules/xyz.ko" ;;
*.gz) gzip -dc "$ko" >"$ir/lib/modules/xyz.ko" ;;
*.zst) zstd -qdc "$ko" >"$ir/lib/modules/xyz.ko" ;;
*) cp "$ko" "$ir/lib/modules/xyz.ko" ;;
esac
# the installed copy too, where modprobe and a --run command look for it
mkdir -p "$ir/lib/modules/$kver/updates/dkms"
cp "$ir/lib/modules/xyz.ko" "$ir/lib/modules/$kver/updates/dkms/xyz.ko"
for k in /var/lib/dkms/mok.key /var/lib/dkms/mok.pub; do
	[ -f "$k" ] || die "dkms made no $k (log: $out/dkms.log)"
done
mkdir -p "$ir/var/lib/dkms"
cp /var/lib/dkms/mok.pub "$out/mok.pub"
cp /var/lib/dkms/mok.pub "$ir/var/lib/dkms/mok.pub"
{
	echo "dkms: $(dkms --version)"
	echo "module: $ko"
	echo "signer: $(modinfo -F signer "$ko")"
	echo "sig_hashalgo: $(modinfo -F sig_hashalgo "$ko")"
	echo "dkms certificate: $(openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -subject -fingerprint -sha1)"
} >"$out/module.txt"

log "building xyz.ko by hand (make -C $kdir M=...): unsigned"
cp -a "/tmp/build/xyz-$version" /tmp/hand
make -s -C "$kdir" M=/tmp/hand modules >"$out/hand.log" 2>&1 ||
	{ tail -n 20 "$out/hand.log" >&2; die "the hand build failed"; }
cp /tmp/hand/xyz.ko "$ir/lib/modules/unsigned/xyz.ko"
echo "hand-built signer: '$(modinfo -F signer /tmp/hand/xyz.ko)'" >>"$out/module.txt"

# make sign and make modules_install (scripts/pkg/sign.sh) with the key dkms
# made: the VM loads that module too once the key is enrolled
log "make sign, make modules_install: the hand-built module signed with DKMS's key"
check() {	# check DESCRIPTION COMMAND...: one line of $out/checks.txt
	local d=$1
	shift
	if "$@" >>"$out/sign.log" 2>&1; then echo "ok $d"; else echo "fail $d"; fi >>"$out/checks.txt"
}
: >"$out/checks.txt"
: >"$out/sign.log"
signer_is() { [ "$(modinfo -F signer "$1")" = "DKMS module signing key" ]; }
cp -a /tmp/hand /tmp/msign
mkdir -p "$ir/lib/modules/make-sign"
if make -C /tmp/msign sign KVER="$kver" >>"$out/sign.log" 2>&1; then
	cp /tmp/msign/xyz.ko "$ir/lib/modules/make-sign/xyz.ko"
	echo "ok make sign exits 0" >>"$out/checks.txt"
else
	echo "fail make sign exits 0" >>"$out/checks.txt"
fi
check "make sign: modinfo -F signer reads \"DKMS module signing key\"" signer_is /tmp/msign/xyz.ko
size1=$(stat -c %s /tmp/msign/xyz.ko)
make -C /tmp/msign sign KVER="$kver" >>"$out/sign.log" 2>&1 || true
check "make sign again replaces the signature (same size, one signature)" \
	test "$(stat -c %s /tmp/msign/xyz.ko)" = "$size1"
check "make modules_install installs xyz.ko.xz, compressed as the kernel's modules" \
	make -C /tmp/msign modules_install KVER="$kver"
check "make modules_install: the installed module's signer is DKMS's key" \
	signer_is "/lib/modules/$kver/extra/xyz.ko.xz"
# a kernel that enforces signatures (CONFIG_MODULE_SIG_FORCE=y in a copy of
# the headers), and a user who cannot read the key: make sign must fail
sign_refuses() {
	local fake=/tmp/fake-kdir e rc=0 said
	mkdir -p "$fake"
	for e in "$kdir"/* "$kdir"/.[!.]*; do
		[ "${e##*/}" = .config ] || ln -s "$e" "$fake/${e##*/}"
	done
	sed 's/^# CONFIG_MODULE_SIG_FORCE is not set$/CONFIG_MODULE_SIG_FORCE=y/' "$kdir/.config" >"$fake/.config"
	grep -q '^CONFIG_MODULE_SIG_FORCE=y' "$fake/.config" || return 1
	cp -a /tmp/hand /tmp/nobody && chmod -R a+rwX /tmp/nobody
	said=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		/tmp/nobody/scripts/pkg/sign.sh "$kver" "$fake" /tmp/nobody/xyz.ko 2>&1) || rc=$?
	echo "$said (exit status $rc)"
	[ "$rc" != 0 ] && grep -q 'Key was rejected by service' <<<"$said"
}
check "make sign fails, and says why, when it cannot sign for a kernel that enforces signatures" sign_refuses

log "the selftests' fixture module, signed with DKMS's key"
mkdir -p /tmp/fixture
cp /tmp/hand/selftests/xyz/fixture/* /tmp/fixture/
make -s -C "$kdir" M=/tmp/fixture modules >>"$out/hand.log" 2>&1 ||
	die "the fixture build failed"
hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"/\1/p' "$kdir/.config")
"$kdir/scripts/sign-file" "$hash" /var/lib/dkms/mok.key /var/lib/dkms/mok.pub \
	/tmp/fixture/xyz_ipmodify.ko
cp /tmp/fixture/xyz_ipmodify.ko "$ir/lib/modules/"

# Debian's efivarfs (signed by the kernel's own key) and mokutil with its
# libraries: what a real system has to read Secure Boot and MokList
xz -dc "/lib/modules/$kver/kernel/fs/efivarfs/efivarfs.ko.xz" >"$ir/lib/modules/efivarfs.ko"
mkdir -p "$ir/usr/bin"
cp /usr/bin/mokutil "$ir/usr/bin/"
for lib in $(ldd /usr/bin/mokutil | grep -o '/[^ ]*'); do
	mkdir -p "$ir$(dirname "$lib")" && cp -L "$lib" "$ir$lib"
done

log "the initramfs"
(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.gz"

log "the variable stores (virt-fw-vars: DKMS's certificate into MokList)"
openssl x509 -inform DER -in /var/lib/dkms/mok.pub -outform PEM -out /tmp/mok.pem
cp "$out/parts/OVMF_VARS_4M.ms.fd" "$out/vars-before.fd"
virt-fw-vars --input "$out/parts/OVMF_VARS_4M.ms.fd" --output "$out/vars-enrolled.fd" \
	--add-mok "$SHIM_LOCK_GUID" /tmp/mok.pem >"$out/vars.log" 2>&1 ||
	{ cat "$out/vars.log" >&2; die "virt-fw-vars failed"; }
virt-fw-vars --input "$out/vars-enrolled.fd" --print >>"$out/vars.log" 2>&1 || true

log "the disk: GPT, one EFI system partition (mkfs.fat, mtools)"
cat >/tmp/grub.cfg <<EOF
set timeout=0
menuentry 'Debian GNU/Linux, $kver (xyz Secure Boot test)' {
	linux /vmlinuz console=ttyS0 panic=-1 oops=panic panic_on_warn=1 no_timer_check watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=120 xyz.mode=secureboot
	initrd /initrd.gz
}
EOF
p=$out/parts
esp=/tmp/esp.img
size_kb=$(( $(du -k "/boot/vmlinuz-$kver" "$out/initrd.gz" "$p"/*.efi | awk '{ s += $1 } END { print s }') + 8192 ))
rm -f "$esp"
mkfs.fat -C -n XYZ-ESP "$esp" "$size_kb" >/dev/null
mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/EFI/debian
# shim at the removable media path; it starts grubx64.efi from its own
# directory, and Debian's signed grub reads $prefix/grub.cfg (/EFI/debian)
mcopy -i "$esp" "$p/shimx64.efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$esp" "$p/grubx64.efi" ::/EFI/BOOT/grubx64.efi
mcopy -i "$esp" "$p/mmx64.efi" ::/EFI/BOOT/mmx64.efi
mcopy -i "$esp" /tmp/grub.cfg ::/EFI/debian/grub.cfg
mcopy -i "$esp" "/boot/vmlinuz-$kver" ::/vmlinuz
mcopy -i "$esp" "$out/initrd.gz" ::/initrd.gz
sectors=$(( $(stat -c %s "$esp") / 512 ))
rm -f "$out/disk.img"
truncate -s $(( (2048 + sectors + 2048) * 512 )) "$out/disk.img"
printf 'label: gpt\nstart=2048, size=%s, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI system partition"\n' \
	"$sectors" | sfdisk -q "$out/disk.img"
dd if="$esp" of="$out/disk.img" bs=1M seek=1 conv=notrunc status=none	# sector 2048

# who signed what: Microsoft signed shim, Debian's CA grub and the kernel
{
	echo "kernel package: $(dpkg -S "/boot/vmlinuz-$kver" | cut -d: -f1)"
	for f in "$p/shimx64.efi" "$p/grubx64.efi" "$p/mmx64.efi" "/boot/vmlinuz-$kver"; do
		echo "== ${f##*/}"
		sbverify --list "$f" 2>/dev/null | grep -E 'subject:|issuer:'
	done
} >"$out/signatures.txt"
log "done"
