#!/usr/bin/env bash
# Every test of xyz, ending with one line "N passed, N failed, N skipped":
#   host:  the uapi header in C/C++ 32/64-bit, what lib.sh reads of the
#          machine (scripts/checks/test-lib.sh), libxyz's unit tests, the lesson's
#          hello programs built, docs/syscall-path.md regenerated from the
#          reference trace must be what is committed, lint
#          (checkpatch --strict, sparse and a -Werror build against every
#          kernel of the matrix)
#   vm:    selftests/xyz in the test VM, on every kernel of the matrix (arm64
#          too, in qemu-system-aarch64; the steps below are x86-64 only); the
#          mutants (the module broken on purpose, each bug must be caught);
#          the instruction budgets of every door on every x86-64 kernel
#          (scripts/trace/run.sh --check) and the mutants that must break them;
#          the DKMS round trip on the kernels this machine's compiler builds,
#          its modules tested in the VM (this first removes any xyz that DKMS
#          had installed on the machine, and says so); the Debian packages
#          built, linted, installed and purged in a brand-new root, the
#          modules their DKMS built tested in the VM; Secure Boot: Debian
#          13's signed boot chain under OVMF, an unsigned module refused, the
#          DKMS-signed one loaded once its key is enrolled, the selftests
#          (scripts/secureboot/run.sh); with XYZ_CHECK_SANITIZE=1 and the
#          debug kernels cached (make -s sanitize-paths), make sanitize and
#          its mutants (scripts/sanitize/), a skip with the reason otherwise
# usage: scripts/check.sh [--host|--vm|--release]
#   --release: what depends on this machine's Debian release only: the host
#   steps, and on the default kernel (lib.sh: xyz_default_kernel) the
#   selftests and the trace (built by this release's compilers, run by its
#   QEMU); DKMS and the Debian packages (its dkms, its packages)
#   XYZ_CHECK_REDUCED=1: CI's reduced run (docs/testing.md) drops
#   repetitions only: the DKMS-built and package-built modules are tested
#   in the VM on the newest kernel they were built for, not on each
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$XYZ_TOP" || exit 1

what=${1:---all}
case "$what" in
--all|--host|--vm|--release) ;;
*) xyz_die "usage: $0 [--host|--vm|--release]" ;;
esac
"$XYZ_TOP/scripts/install-deps.sh" || xyz_die "cannot install the dependencies"
mkdir -p "$XYZ_BUILD"
pass=0 fail=0 skip=0 failed=()
start=$(date +%s)

# step NAME COMMAND...: run, show its output, add its results to the totals
step() {
	local name=$1 log=$XYZ_BUILD/check-$1.log rc p f s line lines why t0=$SECONDS
	shift
	xyz_log "$name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	echo "# step $name took $((SECONDS - t0))s"
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*\b([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.*\b([0-9]+) failed.*/\1/' <<<"$line")
		s=$(sed -nE 's/.*\b([0-9]+) skipped.*/\1/p' <<<"$line")
	else
		p=$(grep -E '^ok [0-9]' "$log" | grep -vc '# SKIP')
		f=$(grep -E '^not ok [0-9]' "$log" | grep -vc '# SKIP')
		s=$(grep -cE '^(ok|not ok) [0-9].*# SKIP' "$log")
	fi
	s=${s:-0}
	why="exit status $rc, no test named"
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "$name: exit status $rc" >&2
		f=1
	fi
	if [ $((p + f + s)) = 0 ]; then
		echo "$name: no results" >&2
		f=1 why="no results (exit status $rc)"
	fi
	if [ "$f" != 0 ]; then
		# what failed, by name, for the closing lines: the TAP failures
		# (not the kselftest runner's line for a whole program: its tests
		# are named), vm-run.sh's FAILED lines, else why
		mapfile -t lines < <(grep -E '^(\[[^]]*\] )?not ok [0-9]|\] (FAILED: |no summary: )' "$log" |
			grep -vE '# SKIP|^not ok [0-9]+ selftests:')
		[ ${#lines[@]} != 0 ] || lines=("$why")
		failed+=("${lines[@]/#/$name: }")
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

# The selftests on every kernel of the matrix, XYZ_JOBS (the number of cores)
# VMs at a time, each a single-threaded TCG; their logs shown in order.
vm_matrix() {
	local kver jobs=${XYZ_JOBS:-$(nproc)} p=0 f=0 s=0 line log
	for kver in $kernels; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
			wait -n
		done
		scripts/vm-run.sh --tests "$kver" >"$XYZ_BUILD/check-vm-$kver.log" 2>&1 &
	done
	wait
	for kver in $kernels; do
		log=$XYZ_BUILD/check-vm-$kver.log
		grep -v '^\[[^]]*\] [0-9]* passed, ' "$log"
		line=$(grep -E '^\[[^]]*\] [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log" | tail -n 1)
		if [ -z "$line" ]; then
			echo "[$kver] no summary: the run died (log: $log)"
			f=$((f + 1))
			continue
		fi
		echo "$line"
		read -r _ p1 _ f1 _ s1 _ <<<"${line//,/}"
		p=$((p + p1)) f=$((f + f1)) s=$((s + s1))
	done
	echo "$p passed, $f failed, $s skipped"
	[ "$f" = 0 ]
}

if [ "$what" != --vm ]; then
	step abi scripts/checks/abi.sh
	step scripts scripts/checks/test-lib.sh
	step libxyz make -s -C userspace check
	step lesson make -s -C docs/lesson check
	step syscall-path python3 scripts/trace/syscall_path.py check
	step lint scripts/checks/lint.sh
fi
if [ "$what" != --host ]; then
	if [ "$what" = --release ]; then
		kernels=$(xyz_default_kernel) || xyz_die "cannot resolve the kernel matrix"
		trace_kernels=$kernels
	else
		kernels=$(xyz_matrix) || xyz_die "cannot resolve the kernel matrix"
		trace_kernels=$(xyz_matrix amd64)
	fi
	step vm vm_matrix
	[ "$what" = --release ] || step mutants scripts/checks/mutants.sh
	# the instruction budgets of the hot paths, and mutants they must catch
	# shellcheck disable=SC2086
	step trace env XYZ_JOBS="${XYZ_JOBS:-$(nproc)}" \
		scripts/trace/run.sh --check --no-page $trace_kernels
	[ "$what" = --release ] || step trace-mutants scripts/trace/mutants.sh
	step dkms scripts/pkg/dkms.sh test
	step deb scripts/pkg/deb.sh test
	# Debian 13's signed boot chain under Secure Boot, whatever the
	# machine's release
	[ "$what" = --release ] || step secureboot scripts/secureboot/run.sh
	# The debug kernels (KASAN, lockdep, UBSAN, kmemleak; KCSAN) under
	# multi-threaded TCG, and the bugs they must catch: asked for with
	# XYZ_CHECK_SANITIZE=1 (about 20 minutes more), and only when the
	# kernels are in the cache already (make -s sanitize-paths builds them,
	# about half an hour each); else one skip says why. Not in --release: they are built in a Debian 13 root of their
	# own, whatever the release.
	if [ "$what" != --release ] && [ -n "${XYZ_CHECK_SANITIZE:-}" ]; then
		step sanitize env XYZ_SANITIZE_CACHED=1 scripts/sanitize/run.sh
		step sanitize-mutants env XYZ_SANITIZE_CACHED=1 scripts/sanitize/mutants.sh
	elif [ "$what" != --release ]; then
		step sanitize printf '%s\n' "ok 1 make sanitize # SKIP XYZ_CHECK_SANITIZE=1 asks for it (docs/testing.md)" \
			"0 passed, 0 failed, 1 skipped"
	fi
fi
echo "# make check took $(($(date +%s) - start))s"
# the failures again, last, where a log's tail shows them (.ci/run's too)
for line in "${failed[@]}"; do
	echo "# failed: $line"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
