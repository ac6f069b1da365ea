#!/bin/sh
# shellcheck disable=SC2086 # $opts and $states are word lists, split on purpose
# The measurements of `make bench`, inside the test VM (busybox sh, no
# python). scripts/bench/run.sh hands this file to vm-run.sh as its --run
# command, with XYZ_BENCH_* settings prepended; the host parses what it
# prints:
#
#   BENCHENV key value...                  the machine
#   BENCHMODE mode loads|refused message   what each hook mode does here
#   BENCH kind cycle state bin load json   one `xyz bench --json`
#   BENCHERR kind cycle state bin message  a run that failed
#
# kind: tax (baselines only), doors (NOP through every door), echo, scaling.
# state: unloaded or the hook mode loaded. bin: xyz (x86-64) or xyz32 (i386).
# load: busy fraction of each CPU during the run (cpu0=..,cpu1=..): under
# single-threaded TCG anything running on the other vCPU slows this one.
ko=/lib/modules/xyz.ko
cycles=${XYZ_BENCH_CYCLES:-8}
batch_us=${XYZ_BENCH_BATCH_US:-2000}
rounds=${XYZ_BENCH_ROUNDS:-8}
batches=${XYZ_BENCH_BATCHES:-5}
settle=${XYZ_BENCH_SETTLE:-0.5}
tax_runs=${XYZ_BENCH_TAX_RUNS:-3}
echo_reps=${XYZ_BENCH_ECHO_REPS:-3}
scale_rounds=${XYZ_BENCH_SCALE_ROUNDS:-5}
scale_us=${XYZ_BENCH_SCALE_US:-50000}
# Every latency run on the same vCPU: under TCG one vCPU can be slower than
# the other by a fifth for the kernel's own code, differently in every boot
# (cpucheck below measures it), which would otherwise pass for a tax.
cpu=${XYZ_BENCH_CPU:-0}
# latency: everything but the scaling; scaling: only that; all: both
part=${XYZ_BENCH_PART:-all}
opts="--cpu $cpu --batch-us $batch_us --rounds $rounds --batches $batches --json"
failed=0

cpu_times() {
	# per CPU: name, all jiffies, idle + iowait jiffies
	awk '/^cpu[0-9]/ { t = 0; for (i = 2; i <= NF; i++) t += $i;
			   print $1, t, $5 + $6 }' /proc/stat
}

busy() {
	printf '%s\n%s\n' "$1" "$2" | awk '
		!($1 in t0) { t0[$1] = $2; i0[$1] = $3; n[++k] = $1; next }
		{ dt = $2 - t0[$1]; di = $3 - i0[$1]
		  b[$1] = dt > 0 ? (dt - di) / dt : 0 }
		END { for (j = 1; j <= k; j++)
			printf "%s%s=%.2f", (j > 1 ? "," : ""), n[j], b[n[j]] }'
}

# run KIND CYCLE STATE BIN ARGS...: one xyz bench, one BENCH line
run() {
	kind=$1 cycle=$2 state=$3 bin=$4
	shift 4
	t0=$(cpu_times)
	out=$("$bin" bench "$@" 2>/tmp/bench.err)
	rc=$?
	load=$(busy "$t0" "$(cpu_times)")
	case "$out" in
	"{"*) echo "BENCH $kind $cycle $state $bin $load $out" ;;
	esac
	if [ "$rc" != 0 ] || [ "${out#\{}" = "$out" ]; then
		echo "BENCHERR $kind $cycle $state $bin exit $rc:" \
			"$(tr '\n' ' ' </tmp/bench.err)"
		failed=1
	fi
}

load() {
	insmod "$ko" "$@" 2>/tmp/insmod.err
}

unload() {
	i=0
	while [ -d /sys/module/xyz ]; do
		rmmod xyz 2>/dev/null && break
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "BENCHERR rmmod failed"; failed=1; return 1; }
		sleep 0.1
	done
	sleep "$settle"
}

echo "BENCHENV kernel $(uname -r)"
echo "BENCHENV version $(uname -v)"
echo "BENCHENV cpu $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "BENCHENV cpus $(grep -c '^processor' /proc/cpuinfo)"
echo "BENCHENV clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
echo "BENCHENV cmdline $(cat /proc/cmdline)"
echo "BENCHENV settings cpu=$cpu cycles=$cycles tax_runs=$tax_runs batch_us=$batch_us rounds=$rounds batches=$batches settle=$settle echo_reps=$echo_reps scale_rounds=$scale_rounds scale_us=$scale_us"

# Throughput, 1 thread against 2 (one per vCPU), every door and baseline,
# under what auto picks. scripts/bench/run.sh runs it in a boot of its own
# with one host thread per vCPU (multi-threaded TCG, XYZ_BENCH_PART=scaling):
# with one thread for both vCPUs nothing can scale. The module is loaded
# before any thread starts, so no kernel text is patched while the other vCPU
# runs.
scaling() {
	if ! load; then
		echo "BENCHERR load auto: $(cat /tmp/insmod.err)"
		failed=1
		return
	fi
	auto=$(cat /sys/module/xyz/parameters/hook)
	sleep "$settle"
	run scaling 1 "$auto" xyz --threads 2 --door syscall --door asm \
		--door int80 --door ioctl --door mmap --door uring \
		--batch-us "$scale_us" --batches 4 --rounds "$scale_rounds" --json
	unload
}
if [ "$part" = scaling ]; then
	scaling
	exit $failed
fi

# How alike the vCPUs are in this boot: the baselines on each, twice.
for r in 1 2; do
	# shellcheck disable=SC2013 # one CPU number per line
	for c in $(awk '/^processor/ { print $3 }' /proc/cpuinfo); do
		run cpucheck $r cpu$c xyz --door none --cpu "$c" \
			--batch-us "$batch_us" --rounds "$rounds" \
			--batches "$batches" --json
	done
done

# Which modes load here (docs/hooks.md: table where the kernel calls
# through the table; direct where x64_sys_call() or the unused-number stub
# has an ftrace site; tracepoint where the entry re-reads the number); the
# others must refuse, and say why in dmesg.
modes=
for m in direct ftrace kprobe table tracepoint; do
	if load hook="$m"; then
		echo "BENCHMODE $m loads $(cat /sys/module/xyz/parameters/hook)"
		modes="$modes $m"
		unload
	else
		why=$(dmesg | sed -n 's/^\[[^]]*\] //; /xyz: /p' | tail -n 1)
		echo "BENCHMODE $m refused $(tr '\n' ' ' </tmp/insmod.err)| $why"
	fi
done
[ -n "$modes" ] || { echo "BENCHERR no hook mode loads"; exit 1; }
sleep "$settle"

# The cycles: unloaded and every mode in turn, the order rotated from cycle
# to cycle, so that drift over the boot hits every state alike.
states="unloaded$modes"
nstates=$(echo $states | wc -w)
c=1
while [ $c -le "$cycles" ]; do
	# rotate the order by c - 1
	set -- $states
	i=0
	while [ $i -lt $(( (c - 1) % nstates )) ]; do
		first=$1
		shift
		set -- "$@" "$first"
		i=$((i + 1))
	done
	for s in "$@"; do
		if [ "$s" != unloaded ]; then
			load hook="$s" || {
				echo "BENCHERR load $s: $(cat /tmp/insmod.err)"
				failed=1
				continue
			}
			sleep "$settle"
		fi
		# a few processes: the speed of one under TCG varies by some
		# per cent from process to process (where its pages landed)
		t=1
		while [ $t -le "$tax_runs" ]; do
			run tax $c "$s" xyz --door none $opts
			t=$((t + 1))
		done
		[ "$s" != unloaded ] || continue
		run doors $c "$s" xyz --raw $opts
		run doors $c "$s" xyz32 --raw $opts
		unload
	done
	c=$((c + 1))
done

# ECHO (and NOP for reference) by size, under what auto picks.
if load; then
	auto=$(cat /sys/module/xyz/parameters/hook)
	echo "BENCHMODE auto loads $auto"
	sleep "$settle"
	r=1
	while [ $r -le "$echo_reps" ]; do
		run echo $r "$auto" xyz --op nop --door asm --door ioctl \
			--raw $opts
		for size in 64 4096 65536; do
			run echo $r "$auto" xyz --op echo --size $size \
				--door asm --door ioctl --raw $opts
		done
		r=$((r + 1))
	done
	unload
else
	echo "BENCHERR load auto: $(cat /tmp/insmod.err)"
	failed=1
fi
[ "$part" = latency ] || scaling
exit $failed
