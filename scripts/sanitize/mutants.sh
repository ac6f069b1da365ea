#!/usr/bin/env bash
# Proof that the debug kernels of make sanitize see bugs in the module: one
# planted bug per detector, built against the debug kernel, booted under
# multi-threaded TCG (-smp 2, one host thread per vCPU), and the detector
# must report it by name, in a function of the module (or naming its lock):
#
#   1. KASAN: the fault handler of the shared page takes no page reference,
#      so munmap() frees the page the counters live in; the next call
#      counts into freed memory: "BUG: KASAN: use-after-free in xyz_..."
#      (slab-use-after-free or slab-out-of-bounds when the freed page went
#      to the slab first: measured, "slab-out-of-bounds in xyz_calls_sum")
#   2. lockdep: /dev/xyz registers under the page's lock, and an open()
#      (which misc_open() calls under misc_mtx) takes that lock: the two
#      orders of misc_mtx and xyz_page_lock, "WARNING: possible circular
#      locking dependency detected", naming xyz_page_lock
#   3. KCSAN: every CPU counts into CPU 0's counter with a plain
#      read-modify-write instead of its own with local64_inc():
#      "BUG: KCSAN: data-race in xyz_..."
#
# usage: scripts/sanitize/mutants.sh [N...]     (default: all)
#   XYZ_SANITIZE_CACHED=1: build no kernel; when one is not in the cache,
#   one skipped result says so (check.sh)
# Prints TAP and one line "N passed, N failed, N skipped". Each mutant's
# build, serial log and VM output: build/sanitize-mutants/<n>/.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$XYZ_TOP" || exit 1

# name ~ kernel ~ what must be reported (ERE; then, optionally, a second ERE
# the report's lines must contain) ~ what to run in the VM
mutants=(
"a use after free of the shared page: the fault handler takes no page reference~kasan~BUG: KASAN: [a-z-]*(use-after-free|out-of-bounds) in xyz_~~insmod /lib/modules/xyz.ko hook=none && ./xyz_mmap_test -t layout; ./xyz_doors_test -v ioctl"
"a lock order inversion: /dev/xyz registered under xyz_page_lock, which its open() takes under misc_mtx~kasan~WARNING: possible circular locking dependency detected~xyz_page_lock~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"a racy plain write to a shared counter: every CPU counts into CPU 0's slot~kcsan~BUG: KCSAN: data-race in .*xyz_~~insmod /lib/modules/xyz.ko hook=none && ./xyz_counters_test; ./xyz_counters_test"
)

# edit FILE SED: apply one change to the mutant's copy of module/, or fail
edit() {
	cp "$dir/module/$1" "$dir/orig"
	sed -i "$2" "$dir/module/$1"
	! cmp -s "$dir/orig" "$dir/module/$1" ||
		{ echo "the mutation of $1 did not apply (update scripts/sanitize/mutants.sh): $2"; return 1; }
}

# mutate N: the planted bug of mutant N, in $dir/module
mutate() {
	case "$1" in
	1)
		edit xyz_mmap.c '/^\tget_page(page);$/d'
		;;
	2)
		edit xyz_mmap.c 's/^static DEFINE_MUTEX(xyz_page_lock);/DEFINE_MUTEX(xyz_page_lock);/' &&
		edit xyz_dev.c 's/^static const struct file_operations xyz_dev_fops = {$/extern struct mutex xyz_page_lock;\n\nstatic int xyz_dev_open(struct inode *inode, struct file *file)\n{\n\tmutex_lock(\&xyz_page_lock);\n\tmutex_unlock(\&xyz_page_lock);\n\treturn 0;\n}\n\n&/' &&
		edit xyz_dev.c 's/^\t.owner\t\t= THIS_MODULE,.*$/&\n\t.open\t\t= xyz_dev_open,/' &&
		edit xyz_dev.c 's/^\treturn misc_register(&xyz_misc);$/\tint err;\n\n\tmutex_lock(\&xyz_page_lock);\n\terr = misc_register(\&xyz_misc);\n\tmutex_unlock(\&xyz_page_lock);\n\treturn err;/'
		;;
	3)
		edit xyz_internal.h 's/^\tlocal64_inc(__this_cpu_read(xyz_calls_slot));$/\t(*(u64 *)per_cpu(xyz_calls_slot, 0))++;/'
		;;
	esac
}

# the debug kernels the chosen mutants need, built if missing
declare -A kdirs=()
n=0 names=()
for m in "${mutants[@]}"; do
	n=$((n + 1))
	case " ${*:-$n} " in *" $n "*) ;; *) continue ;; esac
	IFS='~' read -r _ kernel _ <<<"$m"
	case " ${names[*]} " in *" $kernel "*) ;; *) names+=("$kernel") ;; esac
done
if [ -n "${XYZ_SANITIZE_CACHED:-}" ]; then
	mapfile -t paths < <(scripts/sanitize/kernel.sh --cached "${names[@]}")
	if [ ${#paths[@]} != ${#names[@]} ]; then
		echo "TAP version 13"
		echo "ok 1 the sanitizer mutants # SKIP the debug kernels are not built (make -s sanitize-paths builds them)"
		echo "1..1"
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
else
	mapfile -t paths < <(scripts/sanitize/kernel.sh "${names[@]}")
	[ ${#paths[@]} = ${#names[@]} ] || xyz_die "cannot build the debug kernels"
fi
for i in "${!names[@]}"; do
	kdirs[${names[$i]}]=${paths[$i]##* kdir=}
done
# multi-threaded TCG without older QEMUs' stale int3s (qemu.sh)
qemu_dir=$(scripts/sanitize/qemu.sh) || xyz_die "no QEMU for the sanitizer mutants"
[ -z "$qemu_dir" ] || export PATH="$qemu_dir:$PATH"
export XYZ_ACCEL=tcg-multi XYZ_VM_MEM=${XYZ_VM_MEM:-2048}
export XYZ_VM_TIMEOUT=${XYZ_VM_TIMEOUT:-1200} XYZ_VM_CMDLINE=loglevel=5

echo "TAP version 13"
n=0 pass=0 fail=0 skip=0
for m in "${mutants[@]}"; do
	IFS='~' read -r name kernel report also cmd <<<"$m"
	n=$((n + 1))
	case " ${*:-$n} " in *" $n "*) ;; *) echo "ok $n $name ($kernel) # SKIP not chosen"; skip=$((skip + 1)); continue ;; esac
	kdir=${kdirs[$kernel]}
	dir=$XYZ_BUILD/sanitize-mutants/$n
	rm -rf "$dir" && mkdir -p "$dir"
	cp -r Kbuild dkms.conf module include "$dir/"
	result='' caught=''
	if ! why=$(mutate "$n"); then
		result="not ok $n $name ($kernel): $why"
	elif ! scripts/sanitize/kmake.sh "$kdir" M="$dir" modules >"$dir/build.log" 2>&1; then
		result="not ok $n $name ($kernel): the mutant does not build (see $dir/build.log)"
	else
		XYZ_SERIAL_LOG=$dir/serial.log scripts/vm-run.sh --ko "$dir/xyz.ko" \
			--run "$cmd" --kdir "$kdir" >"$dir/vm.log" 2>&1
		# the report, and after it what ties it to the module
		caught=$(grep -m1 -E "$report" "$dir/serial.log" | sed 's/^\[ *[0-9.]*\] //')
		if [ -n "$caught" ] && [ -n "$also" ] &&
		   ! sed -En "/$report/,\$p" "$dir/serial.log" | grep -E "$also" >/dev/null; then
			caught=
		fi
		if [ -n "$caught" ]; then
			result="ok $n $name ($kernel): $caught"
		else
			result="not ok $n $name ($kernel): no \"$report\"${also:+ naming $also} in $dir/serial.log"
		fi
	fi
	echo "$result"
	case "$result" in
	ok*) pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
done
echo "1..$n"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
