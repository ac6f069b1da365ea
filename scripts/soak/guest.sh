#!/bin/sh
# Runs inside the test VM for `make soak` (vm-run.sh --soak): does xyz leave
# every *other* system call intact? Debian's trinity fuzzes the whole system
# call table, 64-bit and int $0x80, as nobody in a scratch directory: first
# with the module unloaded (the control), then in each hook mode; after each
# mode's run the module's door tests must still pass in that mode. TAP on
# stdout; the host also fails the run on BUG/WARNING/Oops/hung task in the
# kernel's log (panic_on_warn=1 oops=panic turn most of them into a panic).
#
# XYZ_SOAK_CALLS (20000) system calls per mode, XYZ_SOAK_SEED (the time)
# repeats a run, XYZ_SOAK_MODES ("unloaded direct ftrace kprobe"; on arm64,
# which has no hook=direct, "unloaded table ftrace kprobe"; "none" is
# accepted too).
cd /xyz/xyz || exit 1
. ./xyz_lib.sh
export XYZ_KO=/lib/modules/xyz.ko
calls=${XYZ_SOAK_CALLS:-20000}
seed=${XYZ_SOAK_SEED:-$(date +%s)}
if [ "$(uname -m)" = aarch64 ]; then
	modes=${XYZ_SOAK_MODES:-unloaded table ftrace kprobe}
else
	modes=${XYZ_SOAK_MODES:-unloaded direct ftrace kprobe}
fi
# An upper bound for one trinity run: 20000 calls took 19 to 74 s under TCG
# on a loaded machine, 100000 took 305 s. scripts/soak/run.sh sizes the VM's
# timeout from the same formula.
limit=$((calls / 50 + 120))
scratch=/tmp/soak
# Taints that are no kernel problem: O and E, an out-of-tree, unsigned
# module; X, Debian's "fanotify permission checks may lead to deadlock",
# which trinity sets as nobody on an unloaded kernel too.
taint_ok=$((4096 | 8192 | 65536))

chmod 0755 /tmp
echo "TAP version 13"
echo "# trinity $calls calls per mode, seed $seed, modes: $modes"
echo "# kernel taint at the start: $(cat /proc/sys/kernel/tainted)"

# trinity needs a user to drop to, and refuses to run as root anyway
grep -q '^nobody:' /etc/passwd 2>/dev/null || {
	mkdir -p /etc
	echo 'root:x:0:0:root:/root:/bin/sh' >/etc/passwd
	echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' >>/etc/passwd
	echo 'root:x:0:' >/etc/group
	echo 'nogroup:x:65534:' >>/etc/group
}
# A task stuck in D state is reported after this long (Debian: 120 s, longer
# than a whole run); the host greps the log for "blocked for more than".
[ -w /proc/sys/kernel/hung_task_timeout_secs ] &&
	echo 20 >/proc/sys/kernel/hung_task_timeout_secs

# The pids of nobody's processes: only trinity runs as nobody in here.
nobody_pids() {
	for s in /proc/[0-9]*/status; do
		awk '/^Uid:/ { if ($2 == 65534) { split(FILENAME, p, "/");
			print p[3] } }' "$s" 2>/dev/null
	done
}

# Kill what is left of trinity; fail if anything survives SIGKILL (a task
# that cannot die is a task stuck in the kernel).
no_leftovers() {
	i=0
	while [ -n "$(nobody_pids)" ]; do
		# shellcheck disable=SC2046 # one pid per word
		kill -9 $(nobody_pids) 2>/dev/null
		i=$((i + 1))
		if [ $i -ge 100 ]; then
			for p in $(nobody_pids); do
				echo "# left: $p $(cat /proc/"$p"/comm 2>/dev/null)" \
					"state $(awk '{ print $3 }' /proc/"$p"/stat 2>/dev/null)" \
					"wchan $(cat /proc/"$p"/wchan 2>/dev/null)"
			done
			return 1
		fi
		sleep 0.2
	done
}

# What the kernel logged since the marker $1 that would fail the run (all
# of the log if the marker has scrolled out of the ring buffer).
bad_lines() {
	dmesg >/tmp/dmesg.txt
	if grep -q "$1" /tmp/dmesg.txt; then
		sed -n "/$1/,\$p" /tmp/dmesg.txt
	else
		cat /tmp/dmesg.txt
	fi |
		# (the mand banner says WARNING: but is no WARN(), as in vm-run.sh)
		grep -v 'WARNING: The mand mount option' |
		grep -E 'BUG:|WARNING:|Oops|general protection fault|Call Trace|blocked for more than|soft lockup|rcu.*stall'
}

# trinity MODE: one bounded run as nobody in a fresh scratch directory.
# Sockets and perf fds are off: in a bare initramfs trinity segfaults while
# building its socket cache; -T: the taints that mean a kernel problem (it
# would stop at once on the module's O/E taint otherwise).
# Memory: unbounded, trinity filled 900 MB of tmpfs (fallocate on its test
# files) and the 1 GiB VM went out of memory, whose report fails the run. So
# the scratch directory is a tmpfs of its own, /tmp is not writable for
# nobody, and no file may grow past 16 MiB (ulimit -f counts 512-byte blocks).
trinity_run() {
	umount "$scratch" 2>/dev/null
	mkdir -p "$scratch" &&
		mount -t tmpfs -o size=128m,mode=0700,uid=65534,gid=65534 soak "$scratch" ||
		return 1
	tr_start=$(date +%s)
	timeout -s TERM -k 10 "$limit" su -s /bin/sh nobody -c \
		"ulimit -f 32768 && cd $scratch && exec trinity -q -N $calls -s $seed \
			--disable-fds=sockets,perf -l off \
			-T BAD_PAGE,WARN,DIE,MACHINE_CHECK" \
		>"/tmp/trinity-$1.log" 2>&1 </dev/null
	tr_rc=$?
	tr_secs=$(($(date +%s) - tr_start))
	grep -E 'Enabled [0-9]+ syscalls|32-bit|Reached limit|Ran [0-9]+ syscalls|taint|[Ee]rror' \
		"/tmp/trinity-$1.log" | tail -n 8 | sed 's/^/# /'
	echo "# $1: trinity exit $tr_rc after ${tr_secs}s"
	# 124/137: the timeout had to stop it: it never finished its calls
	[ "$tr_rc" != 124 ] && [ "$tr_rc" != 137 ] &&
		grep -q 'Ran [0-9]* syscalls' "/tmp/trinity-$1.log"
}

for m in $modes; do
	# (xyz_lib.sh's run_prog sets $label, $out, $rc: other names here)
	marker="xyz-soak: $m begins"
	echo "$marker" >/dev/kmsg
	taint0=$(cat /proc/sys/kernel/tainted)
	if [ "$m" != unloaded ]; then
		if ! xyz_load hook="$m" 2>/tmp/insmod.err; then
			tap_result "not ok" "hook=$m: load: $(cat /tmp/insmod.err)"
			continue
		fi
		what="hook=$m"
	else
		what="unloaded (control)"
	fi
	check "$what: trinity, $calls calls, seed $seed, finishes" trinity_run "$m"
	check "$what: no trinity task left behind" no_leftovers
	taint1=$(cat /proc/sys/kernel/tainted)
	check "$what: no new taint (was $taint0, is $taint1)" \
		test $((taint1 & ~taint_ok)) = $((taint0 & ~taint_ok))
	if bad_lines "$marker" >/tmp/bad.log; then
		sed 's/^/# /' /tmp/bad.log
		tap_result "not ok" "$what: kernel log clean"
	else
		tap_result ok "$what: kernel log clean"
	fi
	[ "$m" != unloaded ] || continue
	check "$what: still loaded as hook=$m" test "$(xyz_param hook)" = "$m"
	# hook=none routes no number: its doors are the ioctls
	only=
	[ "$m" != none ] || only="-v ioctl"
	# shellcheck disable=SC2086 # $only is empty or two words
	run_prog "$what after trinity, 64-bit" ./xyz_doors_test $only
	# shellcheck disable=SC2086
	run_prog "$what after trinity, 32-bit" ./xyz_doors_test_32 $only
	check "$what: unload" xyz_unload
done
tap_plan_end
