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
# Which of the kernel's bug detectors run (the debug kernels of make
# sanitize check theirs), said before any test clears dmesg.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
detectors=
dmesg | grep -q 'KernelAddressSanitizer initialized' && detectors="$detectors,kasan"
dmesg | grep -q 'kfence: initialized' && detectors="$detectors,kfence"
[ -e /proc/lockdep ] && detectors="$detectors,lockdep"
[ -e /sys/kernel/debug/kmemleak ] && detectors="$detectors,kmemleak"
grep -q '^enabled: 1' /sys/kernel/debug/kcsan 2>/dev/null && detectors="$detectors,kcsan"
echo "XYZ-BOOTED $(uname -r) mode=$mode cpus=$(grep -c '^processor' /proc/cpuinfo) detectors=${detectors#,}"
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
poweroff -f
