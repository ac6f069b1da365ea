#!/bin/sh
# Runs inside the test VM for `make demo`: one service routine, every door.
set -e
echo
echo "== insmod xyz.ko (hook=auto picks the cheapest mechanism that routes)"
insmod /lib/modules/xyz.ko
dmesg | grep 'xyz: loaded' | sed 's/^\[[^]]*\] /   /'
for p in hook nr compat_nr; do
	echo "   /sys/module/xyz/parameters/$p = $(cat /sys/module/xyz/parameters/$p)"
done
if [ -x /usr/bin/xyz ]; then
	echo
	echo "== xyz info"
	xyz info
	for door in syscall asm int80 ioctl; do
		echo
		echo "== xyz call --door $door echo hello"
		xyz call --door "$door" echo hello
	done
	echo
	echo "== xyz32 call --door int80 info   (a 32-bit program)"
	xyz32 call --door int80 info
	echo
	echo "== xyz bench: the same routine through every door, side by side"
	xyz bench --iterations 20000
else
	echo "(userspace tools not built)"
	/xyz/selftests/xyz_doors_test -v ioctl -t info_fields
fi
rmmod xyz
