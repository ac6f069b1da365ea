#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Checks of `xyz doctor`: its verdicts on machines made up in a scratch
# directory (XYZ_DOCTOR_ROOT: /proc, /sys, /lib/modules, /var/lib, /etc),
# with a fake mokutil and modinfo in a PATH of their own. The module's own
# state comes from libxyz: XYZ_ROOT, or the mock of the module.
#
# usage: doctor.sh XYZ XYZ_MOCK
xyz=$1
mock=$2
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

bin=$tmp/bin
mkdir -p "$bin"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$(dirname "$0")/../../dkms.conf")

# machine DIR RELEASE [ARCH]: a machine that runs xyz: headers, kallsyms
# and ftrace as on Debian 12's 6.12, no EFI, no lockdown, no module yet.
machine() {
	r=$1 r_rel=$2 r_arch=${3:-x86_64}
	rm -rf "$r"
	mkdir -p "$r/proc/sys/kernel" "$r/sys/kernel/tracing" \
		"$r/sys/kernel/debug/kprobes" "$r/sys/kernel/security" \
		"$r/sys/module/module/parameters" "$r/lib/modules/$r_rel/build"
	echo "$r_rel" >"$r/proc/sys/kernel/osrelease"
	echo "$r_arch" >"$r/proc/sys/kernel/arch"
	: >"$r/lib/modules/$r_rel/build/Makefile"
	cat >"$r/proc/kallsyms" <<-EOF
	0000000000000000 T x64_sys_call
	0000000000000000 D sys_call_table
	0000000000000000 T __x64_sys_ni_syscall
	0000000000000000 T register_kprobe
	0000000000000000 T register_ftrace_direct
	0000000000000000 T io_uring_cmd
	0000000000000000 t xyz_x64_entry	[xyz]
	EOF
	printf 'do_syscall_64\nx64_sys_call\nia32_sys_call\n' \
		>"$r/sys/kernel/tracing/available_filter_functions"
	echo 1 >"$r/sys/kernel/debug/kprobes/enabled"
	: >"$r/sys/kernel/debug/kprobes/blacklist"
	echo 1 >"$r/proc/sys/kernel/ftrace_enabled"
	echo 0 >"$r/proc/sys/kernel/io_uring_disabled"
	echo "[none] integrity confidentiality" >"$r/sys/kernel/security/lockdown"
	echo N >"$r/sys/module/module/parameters/sig_enforce"
}

# secure_boot DIR: EFI, Secure Boot on, lockdown integrity.
secure_boot() {
	mkdir -p "$1/sys/firmware/efi/efivars"
	printf '\006\000\000\000\001' \
		>"$1/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
	echo "none [integrity] confidentiality" >"$1/sys/kernel/security/lockdown"
}

# module DIR RELEASE [FILE]: an unsigned xyz.ko where DKMS puts it.
module() {
	d=$1/lib/modules/$2/updates/dkms
	mkdir -p "$d"
	printf 'ELF...\000srcversion=ABC\000version=%s\000vermagic=%s SMP preempt mod_unload modversions \000' \
		"$version" "$2" >"$d/${3:-xyz.ko}"
	echo "updates/dkms/${3:-xyz.ko}:" >"$1/lib/modules/$2/modules.dep"
}

# mokutil ANSWER: what the fake mokutil --test-key says; "" removes it.
mokutil() {
	if [ -z "$1" ]; then
		rm -f "$bin/mokutil"
		return
	fi
	cat >"$bin/mokutil" <<-EOF
	#!/bin/sh
	case "\$1" in
	--sb-state) echo "SecureBoot enabled" ;;
	--test-key) echo "\$2 $1" ;;
	esac
	EOF
	chmod +x "$bin/mokutil"
}

# doctor DESC STATUS ROOT [ARGS]: xyz doctor --json on ROOT, module not
# loaded (libxyz looks at ROOT too, where none is).
doctor() {
	check "$1" "$2" env XYZ_DOCTOR_ROOT="$3" XYZ_ROOT="$3" PATH="$bin" \
		"$xyz" doctor --json
}

# status ID: the python expression of check ID's status.
st() {
	echo "{c['id']: c['status'] for c in j['checks']}['$1']"
}

# value ID
val() {
	echo "{c['id']: c['value'] for c in j['checks']}['$1']"
}

rel=6.12.118+deb12-amd64
m=$tmp/m

# Usage.
usage "doctor with an argument" "$xyz" doctor extra
check "doctor --help" 0 "$xyz" doctor --help
has "doctor --help" out "^  -j, --json "
has "doctor in xyz --help" out "^usage: xyz doctor"

# A tested kernel with headers and an unsigned module, no Secure Boot:
# nothing blocks; the hook modes are 6.12's.
machine "$m" "$rel"
module "$m" "$rel"
doctor "ready" 0 "$m"
json "ready: not blocked" 'j["blocked"] is False and j["verdict"].startswith("nothing blocks")'
json "ready: tested" "$(st kernel_tested) == 'ok' and j['kernel']['tested'] == \"Debian 12's 6.12\""
json "ready: headers" "$(st kernel_headers) == 'ok'"
json "ready: the module" "$(st module_installed) == 'ok' and '/lib/modules/$rel/updates/dkms/xyz.ko' in $(val module_installed)"
json "ready: unsigned is fine" "$(st module_signature) == 'info' and $(val module_signature) == 'unsigned'"
json "ready: not loaded" "$(st module_loaded) == 'warn' and j['loaded'] is False"
json "ready: 6.12's modes" '[h["routes"] for h in j["hooks"]] == [True, False, True, True] and [h["id"] for h in j["hooks"]] == ["direct", "table", "kprobe", "ftrace"]'
json "ready: auto picks direct" 'j["auto"] == "direct" and j["auto_certain"] is True'
json "ready: ids are stable" 'all(c["id"].replace("_", "").isalnum() for c in j["checks"]) and len({c["id"] for c in j["checks"]}) == len(j["checks"])'
check "ready, text" 0 env XYZ_DOCTOR_ROOT="$m" XYZ_ROOT="$m" PATH="$bin" "$xyz" doctor
has "ready, text" out "^kernel$"
has "ready, text" out "^  ok    tested line  *Debian 12's 6.12$"
has "ready, text" out "^  WARN  loaded  *no$"
has "ready, text" out "^  *-> sudo modprobe xyz$"
has "ready, text" out "^verdict: nothing blocks xyz"

# Not a kernel of the matrix: a warning, not a block.
machine "$m" 6.5.0-1-amd64
module "$m" 6.5.0-1-amd64
doctor "untested kernel" 0 "$m"
json "untested kernel" "$(st kernel_tested) == 'warn' and j['kernel']['tested'] is None"
for k in 5.10.0-46-amd64 6.1.0-57-amd64 6.12.118+deb13-amd64 7.2.13+deb14-amd64; do
	machine "$m" "$k"
	doctor "tested: $k" 0 "$m"
	json "tested: $k" "$(st kernel_tested) == 'ok'"
done

# Nothing to load, nothing to build it with: blocked. With a module, the
# headers are not needed.
machine "$m" "$rel"
rm -rf "$m/lib/modules/$rel/build"
doctor "no headers, no module" 1 "$m"
json "no headers, no module" "$(st kernel_headers) == 'fail' and j['blocked'] and 'linux-headers-$rel' in {c['id']: c['hint'] for c in j['checks']}['kernel_headers']"
module "$m" "$rel"
doctor "no headers, a module" 0 "$m"
json "no headers, a module" "$(st kernel_headers) == 'info'"
machine "$m" "$rel"
doctor "headers, no module" 0 "$m"
json "headers, no module" "$(st module_installed) == 'warn'"

# A module built for another kernel.
machine "$m" "$rel"
module "$m" "$rel"
sed -i "s/vermagic=$rel/vermagic=6.12.99+deb12-amd64/" "$m/lib/modules/$rel/updates/dkms/xyz.ko"
doctor "module for another kernel" 1 "$m"
json "module for another kernel" "$(st module_installed) == 'fail' and 'built for 6.12.99+deb12-amd64' in $(val module_installed)"

# Secure Boot: lockdown wants signatures; an unsigned module is refused.
machine "$m" "$rel"
module "$m" "$rel"
secure_boot "$m"
doctor "Secure Boot, unsigned" 1 "$m"
json "Secure Boot, unsigned" "$(st secure_boot) == 'info' and $(val secure_boot).startswith('enabled') and $(val lockdown) == 'integrity' and $(val signatures).startswith('required') and $(st module_signature) == 'fail' and j['verdict'].startswith('blocked: signature')"
# module.sig_enforce alone does the same
machine "$m" "$rel"
module "$m" "$rel"
echo Y >"$m/sys/module/module/parameters/sig_enforce"
doctor "sig_enforce, unsigned" 1 "$m"
json "sig_enforce, unsigned" "$(val sig_enforce) == 'Y' and $(st module_signature) == 'fail'"
# the variable unreadable: mokutil --sb-state tells
machine "$m" "$rel"
mkdir -p "$m/sys/firmware/efi/efivars"
mokutil "is not enrolled"
doctor "Secure Boot from mokutil" 0 "$m"
json "Secure Boot from mokutil" "$(val secure_boot).startswith('enabled (mokutil --sb-state')"
mokutil ""
doctor "Secure Boot unknown" 0 "$m"
json "Secure Boot unknown" "$(st secure_boot) == 'unknown'"

# The DKMS key: signed by it, and enrolled or not (a real signature, made
# with openssl as sign-file makes it).
if command -v openssl >/dev/null; then
	keys=$tmp/keys
	mkdir -p "$keys"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj "/CN=DKMS module signing key" -keyout "$keys/key.pem" \
		-out "$keys/cert.pem" 2>/dev/null
	serial=$(openssl x509 -in "$keys/cert.pem" -noout -serial | sed 's/^serial=//')
	# sign FILE: append a PKCS#7 signature as scripts/sign-file does
	sign() {
		openssl cms -sign -binary -noattr -nocerts -md sha256 -outform DER \
			-signer "$keys/cert.pem" -inkey "$keys/key.pem" \
			-in "$1" -out "$keys/sig" || return 1
		n=$(wc -c <"$keys/sig")
		{
			cat "$keys/sig"
			# struct module_signature: PKCS#7, then its length (be32)
			printf '\000\000\002\000\000\000\000\000'
			printf '%b' "$(printf '\\0%03o' $((n >> 24 & 255)) \
				$((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))"
			printf '~Module signature appended~\n'
		} >>"$1"
	}
	dkms_key() {
		mkdir -p "$1/var/lib/dkms"
		openssl x509 -in "$keys/cert.pem" -outform DER -out "$1/var/lib/dkms/mok.pub"
	}
	machine "$m" "$rel"
	module "$m" "$rel"
	secure_boot "$m"
	sign "$m/lib/modules/$rel/updates/dkms/xyz.ko"
	dkms_key "$m"
	mokutil "is not enrolled"
	doctor "signed by the DKMS key, not enrolled" 1 "$m"
	json "the DKMS key" "$(st dkms_key) == 'ok' and 'DKMS module signing key' in $(val dkms_key) and '/var/lib/dkms/mok.pub' in $(val dkms_key)"
	json "signed by the DKMS key, not enrolled" "$(st dkms_key_enrolled) in ('warn', 'fail') and $(val dkms_key_enrolled) == 'no' and $(st module_signature) == 'fail' and 'the DKMS key' in $(val module_signature) and 'mokutil --import /var/lib/dkms/mok.pub' in {c['id']: c['hint'] for c in j['checks']}['dkms_key_enrolled']"
	json "the serial read from the signature" "'$(echo "$serial" | sed 's/^0*//' | cut -c1-6)'.lower() in $(val module_signature).replace(':', '').lower()"
	mokutil "is already enrolled"
	doctor "signed by the DKMS key, enrolled" 0 "$m"
	json "signed by the DKMS key, enrolled" "$(st dkms_key_enrolled) == 'ok' and $(st module_signature) == 'ok' and not j['blocked']"
	mokutil "is already in the enrollment request"
	doctor "enrolment pending" 1 "$m"
	json "enrolment pending" "$(val dkms_key_enrolled).startswith('pending') and 'MokManager' in {c['id']: c['hint'] for c in j['checks']}['dkms_key_enrolled']"
	mokutil ""
	doctor "no mokutil" 0 "$m"
	json "no mokutil" "$(st dkms_key_enrolled) == 'warn' and 'mokutil is not installed' in $(val dkms_key_enrolled)"
	# Not loaded and nothing installed: a key DKMS will sign with must
	# be enrolled before its module can load.
	rm -rf "$m/lib/modules/$rel/updates" "$m/lib/modules/$rel/modules.dep"
	mokutil "is not enrolled"
	doctor "no module yet, key not enrolled" 1 "$m"
	json "no module yet, key not enrolled" "$(st dkms_key_enrolled) == 'fail'"
	# another key signed it
	module "$m" "$rel"
	sign "$m/lib/modules/$rel/updates/dkms/xyz.ko"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Someone else" \
		-keyout "$keys/k2" -outform DER -out "$m/var/lib/dkms/mok.pub" 2>/dev/null
	doctor "signed by another key" 0 "$m"
	json "signed by another key" "$(st module_signature) == 'warn' and 'not by the DKMS key' in $(val module_signature)"
	# Ubuntu's place for the key
	machine "$m" "$rel"
	mkdir -p "$m/var/lib/shim-signed/mok"
	openssl x509 -in "$keys/cert.pem" -outform DER -out "$m/var/lib/shim-signed/mok/MOK.der"
	doctor "Ubuntu's DKMS key" 0 "$m"
	json "Ubuntu's DKMS key" "'/var/lib/shim-signed/mok/MOK.der' in $(val dkms_key)"
	# framework.conf names another
	mkdir -p "$m/etc/dkms" "$m/srv"
	cp "$m/var/lib/shim-signed/mok/MOK.der" "$m/srv/my.der"
	echo 'mok_certificate="/srv/my.der"' >"$m/etc/dkms/framework.conf"
	doctor "framework.conf's key" 0 "$m"
	json "framework.conf's key" "'/srv/my.der' in $(val dkms_key)"
	mkdir -p "$m/etc/dkms/framework.conf.d"
	cp "$m/srv/my.der" "$m/srv/other.der"
	echo "mok_certificate=/srv/other.der" >"$m/etc/dkms/framework.conf.d/50-mine.conf"
	doctor "framework.conf.d's key" 0 "$m"
	json "framework.conf.d's key" "'/srv/other.der' in $(val dkms_key)"
else
	echo "# no openssl: the DKMS key checks are left out"
fi

# A compressed module: modinfo reads it, or nobody can tell.
machine "$m" "$rel"
secure_boot "$m"
module "$m" "$rel" xyz.ko.xz
doctor "compressed, no modinfo" 0 "$m"
json "compressed, no modinfo" "$(st module_signature) == 'unknown'"
cat >"$bin/modinfo" <<EOF
#!/bin/sh
echo "filename:       \$1"
echo "version:        $version"
echo "vermagic:       $rel SMP preempt mod_unload modversions "
echo "sig_id:         PKCS#7"
echo "signer:         Somebody"
echo "sig_key:        01:02:03"
EOF
chmod +x "$bin/modinfo"
doctor "compressed, modinfo" 0 "$m"
json "compressed, modinfo" "$(st module_signature) == 'warn' and 'Somebody' in $(val module_signature) and '01:02:03' in $(val module_signature)"
rm -f "$bin/modinfo"

# Hook modes, from the kernel's lists.
machine "$m" 7.2.13+deb14-amd64
printf 'do_syscall_64\n__do_sys_ni_syscall\n' \
	>"$m/sys/kernel/tracing/available_filter_functions"
doctor "7.x: x64_sys_call() not ftrace-able" 0 "$m"
json "7.x: kprobe only" '[h["routes"] for h in j["hooks"]] == [False, False, True, False] and j["auto"] == "kprobe" and "not ftrace-able" in j["hooks"][0]["why"]'
echo 0 >"$m/sys/kernel/debug/kprobes/enabled"
doctor "7.x, kprobes disarmed" 0 "$m"
json "7.x, kprobes disarmed: no mode" 'j["auto"] is None and j["hooks"][2]["routes"] is False and "disarmed" in j["hooks"][2]["why"]'
json "7.x, kprobes disarmed: said" "$(st hook_auto) == 'warn'"
machine "$m" 5.10.0-46-amd64
sed -i '/x64_sys_call/d' "$m/proc/kallsyms" "$m/sys/kernel/tracing/available_filter_functions"
doctor "5.10: the table" 0 "$m"
json "5.10: the table" '[h["routes"] for h in j["hooks"]] == [False, True, True, False] and j["auto"] == "table"'
machine "$m" 6.12.118+deb13-arm64 aarch64
cat >"$m/proc/kallsyms" <<EOF
0000000000000000 t invoke_syscall
0000000000000000 D sys_call_table
0000000000000000 T __arm64_sys_ni_syscall
0000000000000000 T register_kprobe
EOF
echo invoke_syscall >"$m/sys/kernel/tracing/available_filter_functions"
doctor "arm64" 0 "$m"
json "arm64" "$(st kernel_tested) == 'ok' and [h['routes'] for h in j['hooks']] == [False, True, True, True] and j['auto'] == 'table'"
machine "$m" "$rel"
rm -rf "$m/sys/kernel/tracing"
doctor "no tracefs" 0 "$m"
json "no tracefs: cannot tell" 'j["hooks"][0]["routes"] is None and "tracefs is not mounted" in j["hooks"][0]["why"] and j["auto"] == "kprobe" and j["auto_certain"] is False'
json "no tracefs: auto says what may come first" "$(val hook_auto) == 'kprobe, unless direct routes'"
printf '0xffffffff81000000-0xffffffff81000010\t__x64_sys_ni_syscall\n' \
	>"$m/sys/kernel/debug/kprobes/blacklist"
doctor "blacklisted stub" 0 "$m"
json "blacklisted stub" 'j["hooks"][2]["routes"] is False and "blacklist" in j["hooks"][2]["why"]'
machine "$m" "$rel"
echo 0 >"$m/proc/sys/kernel/ftrace_enabled"
doctor "ftrace off" 0 "$m"
json "ftrace off" 'j["hooks"][0]["routes"] is False and j["hooks"][3]["routes"] is False and j["auto"] == "kprobe"'
machine "$m" "$rel"
echo 2 >"$m/proc/sys/kernel/io_uring_disabled"
doctor "io_uring disabled" 0 "$m"
json "io_uring disabled" "$(st io_uring) == 'warn'"

# Loaded: a module with no door that answers is a failure.
machine "$m" "$rel"
mkdir -p "$m/sys/module/xyz/parameters"
echo -1 >"$m/sys/module/xyz/parameters/nr"
echo -1 >"$m/sys/module/xyz/parameters/compat_nr"
echo none >"$m/sys/module/xyz/parameters/hook"
echo "$version" >"$m/sys/module/xyz/version"
doctor "loaded, no door answers" 1 "$m"
json "loaded, no door answers" "j['loaded'] and j['hook'] == 'none' and $(st doors) == 'fail' and $(st door_ioctl) == 'warn' and $(st kernel_headers) == 'ok'"

# Loaded (the mock): the doors answer.
"$mock" --version >"$tmp/out" 2>&1
if grep -q '# SKIP' "$tmp/out"; then
	echo "mock skipped: $(cat "$tmp/out")"
else
	machine "$m" "$rel"
	check "mock: loaded" 0 env XYZ_DOCTOR_ROOT="$m" PATH="$bin" "$mock" doctor --json
	json "mock: loaded" "j['loaded'] and j['hook'] == 'ftrace' and $(st module_loaded) == 'ok' and $(st door_ioctl) == 'ok' and $(st door_mmap) == 'ok' and j['verdict'].startswith('xyz works here') and not j['blocked']"
fi

# The machine it runs on: whatever it says, it says it in JSON.
"$xyz" doctor >/dev/null 2>&1
check "this machine" $? "$xyz" doctor --json
json "this machine" 'j["command"] == "doctor" and j["root"] is None and isinstance(j["blocked"], bool)'

finish
