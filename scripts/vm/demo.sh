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
hook=$(cat /sys/module/xyz/parameters/hook)
cat <<EOT

== The roads into sys_xyz (docs/hooks.md draws them in full)
   syscall(400) / syscall insn -> entry_SYSCALL_64 -> do_syscall_64 -> x64_sys_call(regs, 400)
                                  -> [hook=$hook] -> xyz_x64_entry -> sys_xyz(args, SYSCALL)
   int \$0x80 (eax=223)         -> entry_INT80_compat -> do_int80_syscall_32 -> ia32_sys_call()
                                  -> [hook=$hook] -> xyz_ia32_entry -> sys_xyz(args, COMPAT)
   ioctl(/dev/xyz)              -> sys_ioctl -> vfs_ioctl -> xyz_dev_ioctl -> sys_xyz(args, IOCTL)
   io_uring_enter(N SQEs)       -> io_submit_sqes -> io_uring_cmd -> xyz_uring_cmd -> sys_xyz(args, URING)
                                   (N calls, one kernel entry)
   mmap(/dev/xyz), then loads   -> no kernel entry: the page the module publishes (INFO only)
EOT
if [ -x /usr/bin/xyz ]; then
	echo
	echo "== xyz info"
	xyz info
	for door in syscall asm int80 ioctl uring; do
		echo
		echo "== xyz call --door $door echo hello"
		xyz call --door "$door" echo hello
	done
	echo
	echo "== xyz call --door mmap info   (read from the shared page: no kernel entry)"
	xyz call --door mmap info
	echo
	echo "== xyz32 call --door int80 info   (a 32-bit program)"
	xyz32 call --door int80 info
	echo
	echo "== xyz bench: the same routine through every door, side by side"
	# through a pipe: the serial console is no place for a progress meter
	xyz bench --batch-us 2000 --rounds 5 --batches 5 2>&1 | cat
else
	echo "(userspace tools not built)"
	/xyz/selftests/xyz_doors_test -v ioctl -t info_fields
fi
rmmod xyz
