#!/usr/bin/env bash
# Every test of xyz, ending with one line "N passed, N failed, N skipped":
#   host:  the uapi header in C/C++ 32/64-bit, libxyz's unit tests, lint
#          (checkpatch --strict, sparse on every kernel)
#   vm:    selftests/xyz in the test VM, on every kernel of the matrix; the
#          mutants (the module broken on purpose, each bug must be caught);
#          the DKMS round trip, its modules tested in the VM (this removes
#          any xyz that DKMS had installed on the machine); the Debian
#          packages built, linted, installed and purged in a brand-new root,
#          the modules their DKMS built tested in the VM
# usage: scripts/check.sh [--host|--vm]
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$XYZ_TOP" || exit 1

what=${1:---all}
"$XYZ_TOP/scripts/install-deps.sh" || xyz_die "cannot install the dependencies"
mkdir -p "$XYZ_BUILD"
pass=0 fail=0 skip=0
start=$(date +%s)

# step NAME COMMAND...: run, show its output, add its results to the totals
step() {
	local name=$1 log=$XYZ_BUILD/check-$1.log rc p f s line
	shift
	xyz_log "$name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
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
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "$name: exit status $rc" >&2
		f=1
	fi
	if [ $((p + f + s)) = 0 ]; then
		echo "$name: no results" >&2
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

if [ "$what" != --vm ]; then
	step abi scripts/check-abi.sh
	step libxyz make -s -C userspace check
	step lint scripts/lint.sh
fi
if [ "$what" != --host ]; then
	kernels=$(xyz_matrix) || xyz_die "cannot resolve the kernel matrix"
	for kver in $kernels; do
		step "vm-$kver" scripts/vm-run.sh --tests "$kver"
	done
	step mutants scripts/mutants.sh
	step dkms scripts/dkms.sh test
	step deb scripts/deb.sh test
fi
echo "# make check took $(($(date +%s) - start))s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
