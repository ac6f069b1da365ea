# SPDX-License-Identifier: GPL-2.0
# xyz: one service routine, every door into the kernel.
#
#   make                 build xyz.ko for the running kernel (KVER=, KDIR=)
#                        and the userspace library and tools
#   make demo            boot the test VM, load the module, call every door,
#                        print the comparison
#   make check           host tests, lint, and the selftests in the test VM
#                        on every kernel of scripts/kernel-matrix
#   make lint            checkpatch --strict and sparse on the module
#   make install         userspace: libxyz, <xyz.h>, xyz.pc, xyz(1)
#   make dkms-install    register, build and install the module with DKMS
#   make dkms-test       the DKMS round trip on every kernel of the matrix,
#                        the DKMS-built module tested in the VM
#   make bench           the benchmark matrix in the test VM, every kernel:
#                        build/bench/, docs/performance.md and its charts
#   make trace           every door's call path, instruction by instruction
#                        (QEMU plugin), every kernel: build/trace/,
#                        docs/callpath.md and docs/callpath.svg
#   make soak            trinity fuzzes every system call in the test VM,
#                        module unloaded and in each hook mode, every kernel

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
XYZ_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)

.PHONY: all module userspace demo check check-host check-vm lint install \
	dkms-install dkms-uninstall dkms-test bench trace soak clean version

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

demo:
	scripts/demo.sh

check:
	scripts/check.sh

check-host:
	scripts/check.sh --host

check-vm:
	scripts/check.sh --vm

lint:
	scripts/lint.sh

install:
	$(MAKE) -C userspace install

version:
	@echo $(XYZ_VERSION)

dkms-install:
	scripts/dkms.sh install

dkms-uninstall:
	scripts/dkms.sh uninstall

dkms-test:
	scripts/dkms.sh test

bench:
	scripts/bench.sh

trace:
	scripts/trace.sh

soak:
	scripts/soak.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	rm -rf build
