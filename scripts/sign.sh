#!/usr/bin/env bash
# Sign xyz.ko for a kernel that checks module signatures: `make sign` (the
# module in the tree) and `make modules_install` (the installed copy).
#
# usage: scripts/sign.sh KVER KDIR MODULE...   sign each MODULE in place
#        scripts/sign.sh --cert                the certificate to enrol (mokutil --import)
#
# MODULE may be compressed (.ko.xz, .ko.gz, .ko.zst, as modules_install
# leaves it): it is signed uncompressed and compressed again, as kbuild and
# dkms do. A signature already there is replaced.
#
# The key: the kernel's own, when KDIR has it (a kernel built on this
# machine: its certs/signing_key.x509, which the kernel already trusts);
# else the one DKMS signs with on this machine, so that one enrolment
# (mokutil --import) serves both DKMS's modules and this one. That is what
# dkms 3.0 and 3.2 choose: mok_signing_key and mok_certificate from
# /etc/dkms/framework.conf or framework.conf.d/*.conf; else Ubuntu's
# /var/lib/shim-signed/mok/MOK.priv and MOK.der; else Debian's (and
# upstream dkms's) /var/lib/dkms/mok.key and mok.pub. When there is none,
# it is made the way dkms makes it: `openssl req` as in dkms 3.2, or on
# Ubuntu `update-secureboot-policy --new-key`.
#
# Signing with the kernel's own scripts/sign-file and CONFIG_MODULE_SIG_HASH
# from its configuration. When the module cannot be signed (no key, not
# root), this fails if the kernel would refuse an unsigned module
# (CONFIG_MODULE_SIG_FORCE, module.sig_enforce, lockdown, Secure Boot on this
# machine), and warns otherwise. The cause and the fix are printed either way.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

say() { printf 'xyz: %s\n' "$*" >&2; }

# framework_value NAME: NAME's last assignment in dkms's configuration files
framework_value() {
	local f v last=''
	for f in /etc/dkms/framework.conf /etc/dkms/framework.conf.d/*.conf; do
		[ -f "$f" ] || continue
		v=$(sed -n "s/^[[:space:]]*$1=//p" "$f" | tail -n 1)
		[ -z "$v" ] || last=$v
	done
	last=${last%\"} last=${last#\"} last=${last%\'} last=${last#\'}
	echo "$last"
}

distro() { (. /etc/os-release 2>/dev/null && echo "${ID:-}") || true; }

# Sets key and cert: the pair DKMS signs with here (see above).
dkms_key() {
	key=$(framework_value mok_signing_key)
	cert=$(framework_value mok_certificate)
	if [ -z "$key" ] && [ "$(distro)" = ubuntu ]; then
		key=/var/lib/shim-signed/mok/MOK.priv
		cert=/var/lib/shim-signed/mok/MOK.der
	fi
	key=${key:-/var/lib/dkms/mok.key}
	cert=${cert:-/var/lib/dkms/mok.pub}
}

# Make DKMS's key pair as dkms does when it is missing (dkms's prepare_mok).
make_dkms_key() {
	if [ "$(distro)" = ubuntu ] && [ "$key" = /var/lib/shim-signed/mok/MOK.priv ]; then
		command -v update-secureboot-policy >/dev/null || {
			say "no $key and no update-secureboot-policy to make it (apt-get install shim-signed)"
			return 1
		}
		say "making the MOK key as dkms does on Ubuntu: update-secureboot-policy --new-key"
		rm -f "$cert"
		SHIM_NOTRIGGER=y update-secureboot-policy --new-key >/dev/null 2>&1 || true
	else
		command -v openssl >/dev/null || { say "no openssl to make $key (apt-get install openssl)"; return 1; }
		say "making DKMS's signing key as dkms 3.2 does: $key, $cert"
		mkdir -p "$(dirname "$key")" "$(dirname "$cert")"
		(umask 077 && openssl req -new -x509 -nodes -days 36500 \
			-subj "/CN=DKMS module signing key" \
			-newkey rsa:2048 -keyout "$key" \
			-addext "extendedKeyUsage=codeSigning" \
			-outform DER -out "$cert" >/dev/null 2>&1) || true
		chmod 644 "$cert" 2>/dev/null || true	# a certificate is public
	fi
	[ -f "$key" ] && [ -f "$cert" ]
}

# The subject's CN of a certificate (DER or PEM): what modinfo -F signer shows
cert_cn() {
	{ openssl x509 -inform DER -in "$1" -noout -subject -nameopt RFC2253 2>/dev/null ||
	  openssl x509 -in "$1" -noout -subject -nameopt RFC2253 2>/dev/null; } |
		sed -n 's/^subject=.*CN=\([^,]*\).*/\1/p'
}

# Why KVER would refuse an unsigned module, one reason a line (none: it loads it).
enforcing() {
	local sb=
	grep -q '^CONFIG_MODULE_SIG_FORCE=y' "$config" &&
		echo "the kernel is built with CONFIG_MODULE_SIG_FORCE=y"
	if command -v mokutil >/dev/null && mokutil --sb-state 2>/dev/null | grep -q 'SecureBoot enabled'; then
		sb=1
	elif [ -r /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c ] &&
	     [ "$(od -An -tu1 -j4 -N1 /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c | tr -d ' ')" = 1 ]; then
		sb=1
	fi
	if [ -n "$sb" ] && grep -qE '^CONFIG_(LOCK_DOWN_IN_EFI_SECURE_BOOT|IMA_ARCH_POLICY|MODULE_SIG)=y' "$config"; then
		echo "Secure Boot is enabled on this machine (the kernel locks itself down and enforces signatures)"
	fi
	if [ "$kver" = "$(uname -r)" ]; then
		[ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" != Y ] ||
			echo "the running kernel enforces signatures (module.sig_enforce=Y)"
		local ld
		ld=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null)
		[ -z "$ld" ] || [ "$ld" = none ] || echo "the running kernel is locked down ($ld)"
	fi
	return 0
}

# Strip an appended signature: struct module_signature (12 bytes, its last
# four the signature's length, big-endian) then "~Module signature appended~\n".
strip_signature() {
	local f=$1 size len magic='~Module signature appended~'
	size=$(stat -c %s "$f")
	[ "$size" -gt 40 ] || return 0
	[ "$(tail -c 28 "$f" | head -c 27 | tr -d '\0')" = "$magic" ] || return 0
	len=$(tail -c 32 "$f" | head -c 4 | od -An -tu1 | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
	truncate -s $((size - 40 - len)) "$f"
}

# sign_one MODULE: sign (uncompressed), check the signer, compress back
sign_one() {
	local m=$1 tmp signer
	tmp=$(mktemp --suffix=.ko)	# modinfo takes a path for a module name without it
	case "$m" in
	*.ko.xz) xz -dc "$m" >"$tmp" ;;
	*.ko.gz) gzip -dc "$m" >"$tmp" ;;
	*.ko.zst) zstd -qdc "$m" >"$tmp" ;;
	*.ko) cat "$m" >"$tmp" ;;
	*) rm -f "$tmp"; xyz_die "$m: not a module (.ko, .ko.xz, .ko.gz, .ko.zst)" ;;
	esac
	strip_signature "$tmp"
	"$sign_file" "$hash" "$key" "$cert" "$tmp" || { rm -f "$tmp"; return 1; }
	signer=$(modinfo -F signer "$tmp" 2>/dev/null || true)
	if [ "$signer" != "$(cert_cn "$cert")" ]; then
		rm -f "$tmp"
		say "$m: signed, but modinfo reads signer '$signer'"
		return 1
	fi
	# in place (cat, not mv): the file keeps its owner and mode
	case "$m" in
	*.ko.xz) xz --check=crc32 --lzma2=dict=1MiB -c "$tmp" >"$m" ;;
	*.ko.gz) gzip -n -c "$tmp" >"$m" ;;
	*.ko.zst) zstd -q -c "$tmp" >"$m" ;;
	*) cat "$tmp" >"$m" ;;
	esac
	rm -f "$tmp"
	say "signed $m ($hash, key $key, signer \"$signer\")"
}

# The cause and the fix when signing failed ($1: why).
cannot_sign() {
	local why=$1 reasons
	reasons=$(enforcing)
	say "cannot sign for $kver: $why"
	if [ -n "$reasons" ]; then
		printf '%s\n' "$reasons" | sed 's/^/xyz:   /' >&2
		say "so this kernel refuses an unsigned xyz.ko: \"Key was rejected by service\"."
		say "fix: sudo make sign (or sudo make modules_install), then enrol the key once:" \
			"sudo mokutil --import $cert; reboot; MokManager: Enroll MOK (docs/dkms.md)"
		return 1
	fi
	say "xyz.ko stays unsigned: $kver does not require signatures here" \
		"(no CONFIG_MODULE_SIG_FORCE, no Secure Boot, no lockdown); it loads (and taints the kernel)"
	return 0
}

if [ "${1:-}" = --cert ]; then
	dkms_key
	echo "$cert"
	exit 0
fi
[ $# -ge 3 ] || xyz_die "usage: $0 KVER KDIR MODULE... | --cert"
kver=$1 kdir=$2
shift 2
config=$kdir/.config
[ -f "$config" ] || config=$kdir/include/config/auto.conf
[ -f "$config" ] || xyz_die "no kernel configuration in $kdir (.config)"
if ! grep -q '^CONFIG_MODULE_SIG=y' "$config"; then
	say "$kver checks no module signatures (no CONFIG_MODULE_SIG): nothing to sign"
	exit 0
fi
hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$config")
hash=${hash:-sha512}	# dkms's default when the configuration names none
sign_file=$kdir/scripts/sign-file
[ -x "$sign_file" ] || { cannot_sign "no $sign_file (the headers of $kver are incomplete)"; exit; }

# the kernel's own key, for a kernel built here; else DKMS's
sig_key=$(sed -n 's/^CONFIG_MODULE_SIG_KEY="\(.*\)"$/\1/p' "$config")
case "$sig_key" in /*) ;; *) sig_key=$kdir/$sig_key ;; esac
if [ -r "$sig_key" ] && [ -r "$kdir/certs/signing_key.x509" ]; then
	key=$sig_key cert=$kdir/certs/signing_key.x509
else
	dkms_key
	if [ ! -f "$key" ] || [ ! -f "$cert" ]; then
		if [ "$(id -u)" != 0 ]; then
			cannot_sign "there is no signing key yet ($key), and making one needs root: sudo make sign"
			exit
		fi
		make_dkms_key || { cannot_sign "could not make $key"; exit; }
	fi
	if [ ! -r "$key" ]; then
		cannot_sign "$key is readable by root only: sudo make sign"
		exit
	fi
fi

rc=0
for m in "$@"; do
	[ -f "$m" ] || xyz_die "no module $m (make first)"
	sign_one "$m" || rc=1
done
if [ "$rc" != 0 ]; then
	cannot_sign "sign-file failed"
	exit
fi
# under Secure Boot the key must be enrolled too: say whether it is
if [ -n "$(enforcing)" ] && [ "$cert" != "$kdir/certs/signing_key.x509" ]; then
	if command -v mokutil >/dev/null &&
	   mokutil --test-key "$cert" 2>/dev/null | grep -q 'already enrolled'; then
		say "$cert is enrolled (mokutil --test-key): the kernel loads it"
	else
		say "the kernel loads it once $cert is enrolled: sudo mokutil --import $cert," \
			"reboot, MokManager: Enroll MOK (docs/dkms.md)"
	fi
fi
