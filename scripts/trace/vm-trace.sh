# The guest half of scripts/trace.sh (busybox sh, run by vm-init.sh in
# /xyz/xyz); trace.sh prepends REPS, ROUNDS, MODES, B64, B32, D64, D32.
# Everything the host needs comes back on the console between markers.
# shellcheck shell=sh disable=SC2086  # the door lists are meant to split

# The CPU the kernel saw (scripts/trace/cpu): its identity, features and
# bugs decide which code the kernel patched in.
sed -n '1,/^$/p' /proc/cpuinfo | grep -E '^(vendor_id|cpu family|model|stepping|flags|bugs)[[:space:]]*:' |
	sed 's/^/XYZ-TRACE-CPU /'

# Kernel text symbols, once: the base kernel does not move within a boot.
# gzip+base64 because the console is slow under TCG and this is megabytes.
echo XYZ-TRACE-KALLSYMS-BEGIN
grep -E '^[0-9a-f]+ [tTwW] ' /proc/kallsyms | gzip -c | base64
echo XYZ-TRACE-KALLSYMS-END

round=1
while [ "$round" -le "$ROUNDS" ]; do
	for mode in none $MODES; do
		echo "XYZ-TRACE-MODE $round $mode"
		if [ "$mode" != none ]; then
			# a kernel without this mode (a new matrix kernel) traces the others
			if ! insmod /lib/modules/xyz.ko hook="$mode"; then
				echo "XYZ-TRACE-NOMODE $round $mode"
				continue
			fi
			# the module's symbols (and ftrace's and kprobes' trampolines,
			# "[__builtin__...]"), where this load put them
			echo XYZ-TRACE-MODSYMS-BEGIN
			grep '\[' /proc/kallsyms
			echo XYZ-TRACE-MODSYMS-END
			echo "XYZ-TRACE-ABI 64"
			./xyz_trace_doors "$REPS" $B64 $D64
			echo "XYZ-TRACE-ABI 32"
			./xyz_trace_doors_32 "$REPS" $B32 $D32
			rmmod xyz || { echo "XYZ-TRACE-FAIL rmmod $mode"; exit 1; }
		else
			echo "XYZ-TRACE-ABI 64"
			./xyz_trace_doors "$REPS" $B64
			echo "XYZ-TRACE-ABI 32"
			./xyz_trace_doors_32 "$REPS" $B32
		fi
	done
	round=$((round + 1))
done
echo XYZ-TRACE-END
