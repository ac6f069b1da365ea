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
echo "XYZ-DMESG-BEGIN"
dmesg
echo "XYZ-DMESG-END"
echo "XYZ-DONE rc=$rc"
poweroff -f
