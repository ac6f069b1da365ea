#!/bin/busybox sh
# /init of the test VM's initramfs: busybox, xyz.ko, the selftests and the
# xyz tools, nothing else. The host reads everything back from the serial
# console between the XYZ-* markers.

/bin/busybox --install -s /bin
mkdir -p /usr/bin /sbin /proc /sys /dev /tmp
# kselftest's runner calls /usr/bin/timeout --foreground, which busybox lacks
printf '#!/bin/sh\n[ "$1" = --foreground ] && shift\nexec /bin/busybox timeout "$@"\n' \
	>/usr/bin/timeout
chmod +x /usr/bin/timeout
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# what udev would have made: the runner logs to /dev/stdout
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
export PATH=/usr/bin:/bin:/sbin HOME=/tmp

. /xyz/env
mode=$(sed -n 's/.*xyz\.mode=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "XYZ-BOOTED $(uname -r) mode=$mode"
rc=0
case "$mode" in
tests)
	# the kselftest runner, as `make -C tools/testing/selftests run_tests`
	export XYZ_KO=/lib/modules/xyz.ko BASE_DIR=/xyz logfile=/dev/stdout
	export XYZ_IPMODIFY_KO=/lib/modules/xyz_ipmodify.ko
	export XYZ_LIBXYZ_TESTS=/xyz/tests
	# slow debug kernels: more than selftests/xyz/settings allows
	[ -z "${XYZ_KSFT_TIMEOUT:-}" ] ||
		export kselftest_override_timeout=$XYZ_KSFT_TIMEOUT
	cd /xyz/xyz && . /xyz/kselftest/runner.sh && run_many ./xyz_modes.sh
	rc=$?
	cd /
	;;
demo)
	sh /xyz/xyz/demo.sh 2>&1
	rc=$?
	;;
soak)
	sh /xyz/xyz/soak.sh 2>&1
	rc=$?
	;;
secureboot)
	sh /xyz/xyz/secureboot.sh 2>&1
	rc=$?
	;;
run)
	(cd /xyz/xyz && sh ./run.sh 2>&1)
	rc=$?
	;;
*)
	setsid cttyhack sh
	;;
esac
# A kernel with kmemleak (the debug kernels of make sanitize): two scans, an
# object must stay unreferenced through both to be reported; the host fails
# the run on any report.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	echo "XYZ-KMEMLEAK-BEGIN"
	cat /sys/kernel/debug/kmemleak
	echo "XYZ-KMEMLEAK-END"
fi
echo "XYZ-DMESG-BEGIN"
dmesg
echo "XYZ-DMESG-END"
echo "XYZ-DONE rc=$rc"
# Powering off an x86 PC takes ACPI, which the debug kernels of make
# sanitize leave out: a reboot ends QEMU just as well (-no-reboot).
if [ "$(uname -m)" = x86_64 ] && [ ! -d /sys/firmware/acpi ]; then
	reboot -f
fi
poweroff -f
