#!/bin/busybox sh
# /init of the test VM's initramfs: busybox, xyz.ko, the selftests and the
# xyz tools, nothing else. The host reads everything back from the serial
# console between the XYZ-* markers.

/bin/busybox --install -s /bin
mkdir -p /usr/bin /sbin /proc /sys /dev /tmp
ln -sf /bin/busybox /usr/bin/timeout	# kselftest's runner wants it there
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
export PATH=/usr/bin:/bin:/sbin HOME=/tmp

mode=$(sed -n 's/.*xyz\.mode=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "XYZ-BOOTED $(uname -r) mode=$mode"
rc=0
case "$mode" in
tests)
	XYZ_KO=/lib/modules/xyz.ko XYZ_STRESS_SECONDS=${XYZ_STRESS_SECONDS:-8} \
		sh /xyz/selftests/xyz_modes.sh 2>&1
	rc=$?
	;;
demo)
	sh /xyz/demo.sh 2>&1
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
