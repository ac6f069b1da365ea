#!/bin/sh
# Runs inside the Secure Boot test VM (scripts/vm-secureboot.sh), as
# /xyz/xyz/secureboot.sh from /init (vm-init.sh, xyz.mode=secureboot).
# Reports what the kernel says about Secure Boot, lockdown and the two
# modules on the serial console as "XYZ-SB key=value" lines, which the host
# judges; then, when DKMS's module loaded, the selftests with it, and the
# host's --run command last.
#
#   /lib/modules/unsigned/xyz.ko   built by hand (make): no signature
#   /lib/modules/xyz.ko            what xyz-dkms built and DKMS signed
#   /lib/modules/make-sign/xyz.ko  built by hand, signed by make sign (DKMS's key)
#   /lib/modules/efivarfs.ko       Debian's, signed by Debian's kernel key

sb() { echo "XYZ-SB $*"; }

mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
# efivarfs is a module in Debian's kernel: mokutil and the checks read it
insmod /lib/modules/efivarfs.ko 2>/dev/null &&
	mount -t efivarfs efivarfs /sys/firmware/efi/efivars

# the kernel's own words for the boot state
if dmesg | grep -q 'secureboot: Secure boot enabled'; then
	sb "secureboot=enabled"
elif [ -d /sys/firmware/efi ]; then
	sb "secureboot=disabled"
else
	sb "secureboot=no-efi"
fi
lockdown=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null)
sb "lockdown=${lockdown:-unknown}"
sb "sig_enforce=$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)"
# which of the firmware's and shim's certificates the kernel took in
dmesg | sed -n "s/.*integrity: Loaded X.509 cert '\([^:]*\):.*/\1/p" |
	while read -r cert; do sb "cert=$cert"; done
if [ -x /usr/bin/mokutil ]; then
	echo "# mokutil --sb-state: $(mokutil --sb-state 2>&1)"
	echo "# mokutil --test-key /var/lib/dkms/mok.pub: $(mokutil --test-key /var/lib/dkms/mok.pub 2>&1)"
fi

# try_load NAME KO: insmod, what it said, and the kernel's reason
try_load() {
	dmesg -c >/dev/null
	out=$(insmod "$2" hook=none 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		sb "$1=loaded"
		rmmod xyz
	else
		sb "$1=refused"
		sb "$1_said=$out"
		sb "$1_kernel=$(dmesg | grep -iE 'module|lockdown' | tail -n 1 | sed 's/^\[[^]]*\] //')"
	fi
	return $rc
}
try_load unsigned /lib/modules/unsigned/xyz.ko
signed=0
try_load signed /lib/modules/xyz.ko && signed=1
try_load make_sign /lib/modules/make-sign/xyz.ko

rc=0
if [ $signed = 1 ] && [ -z "${XYZ_SB_NO_TESTS:-}" ]; then
	# the kselftest runner, as vm-init.sh's tests mode runs it
	export XYZ_KO=/lib/modules/xyz.ko BASE_DIR=/xyz logfile=/dev/stdout
	export XYZ_IPMODIFY_KO=/lib/modules/xyz_ipmodify.ko
	export XYZ_LIBXYZ_TESTS=/xyz/tests
	(cd /xyz/xyz && . /xyz/kselftest/runner.sh && run_many ./xyz_modes.sh)
	rc=$?
fi
if [ -s /xyz/xyz/run.sh ]; then
	depmod -a	# modprobe xyz finds DKMS's copy in /lib/modules/<release>/updates/dkms
	echo "XYZ-SB-RUN-BEGIN"
	(cd /xyz/xyz && sh ./run.sh 2>&1)
	echo "XYZ-SB-RUN-END rc=$?"
fi
if [ -n "${XYZ_SB_SHELL:-}" ]; then
	echo "a shell in the Secure Boot VM (poweroff -f to leave)"
	setsid cttyhack sh
fi
exit $rc
