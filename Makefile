# SPDX-License-Identifier: GPL-2.0
# xyz: one service routine, every door into the kernel. `make help` lists
# the targets and the variables.

# A release (KVER) or a kernel build tree (KDIR): KDIR wins, and KVER is then
# the release that tree was configured for.
ifneq ($(origin KDIR),undefined)
KVER ?= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
endif
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
# The project's one version, PACKAGE_VERSION in dkms.conf (DKMS needs it
# there): the module, libxyz, xyz.pc and the xyz command all read it.
XYZ_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
# Where modules_install puts xyz.ko: $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/
# $(INSTALL_MOD_DIR), like kbuild's own external-module install.
INSTALL_MOD_PATH ?=
INSTALL_MOD_DIR ?= extra
DEPMOD ?= depmod

.PHONY: all module modules userspace modules_install sign uninstall help demo \
	check check-host check-vm lint install dkms-install dkms-uninstall \
	dkms-test deb deb-test debian-tests secureboot bench trace syscall-path soak \
	sanitize sanitize-arm64 sanitize-paths clean version need-kdir

all: module userspace

# Without headers, kbuild would only say "No such file or directory": say
# what to install, or how to point at another kernel.
need-kdir:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		if [ "$(origin KDIR)" = file ]; then \
			echo "xyz: no headers for kernel $(KVER) ($(KDIR) is missing)" >&2; \
			echo "  install them:  sudo apt-get install linux-headers-$(KVER)" >&2; \
		else \
			echo "xyz: KDIR=$(KDIR) is not a kernel build tree (no Makefile there)" >&2; \
		fi; \
		echo "  or build for another kernel:  make KVER=<release>  or  make KDIR=<kernel build tree>" >&2; \
		exit 2; \
	fi

module modules: need-kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Sign xyz.ko for a kernel that checks signatures (Secure Boot): with the
# kernel's own key when KDIR has it, else with the key DKMS signs with on
# this machine, made as dkms makes it if there is none (scripts/pkg/sign.sh,
# docs/dkms.md). Fails when the module stays unsigned on a kernel that
# would refuse it.
sign: module
	scripts/pkg/sign.sh $(KVER) $(KDIR) $(CURDIR)/xyz.ko

# kbuild's install (compression as the kernel is configured), then the
# installed copy signed as above (kbuild's own signing is switched off:
# distribution headers carry no key, and it would fail quietly), then
# depmod here: kbuild skips it when the headers have no System.map, which is
# the case for every distribution's headers package.
modules_install: need-kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) CONFIG_MODULE_SIG_ALL= modules_install
	scripts/pkg/sign.sh $(KVER) $(KDIR) \
		$(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/xyz.ko*
	$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KVER)

# What modules_install and install put in place (not DKMS's: dkms-uninstall).
uninstall:
	rm -f $(addprefix $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/xyz.ko,"" .xz .gz .zst)
	if [ -d "$(INSTALL_MOD_PATH)/lib/modules/$(KVER)" ]; then \
		$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KVER); fi
	$(MAKE) -C userspace uninstall

userspace:
	$(MAKE) -C userspace

help:
	@echo 'xyz $(XYZ_VERSION): one service routine, every door into the kernel'
	@echo
	@echo 'Building and installing:'
	@echo '  make [all]            xyz.ko for KVER (needs its linux-headers) and userspace/'
	@echo '  make modules          xyz.ko only'
	@echo '  make userspace        libxyz, the xyz command, their tests (userspace/build/)'
	@echo '  make sign             sign xyz.ko with DKMS'"'"'s key, for Secure Boot (docs/dkms.md)'
	@echo '  make modules_install  xyz.ko (signed) to INSTALL_MOD_PATH/lib/modules/KVER/INSTALL_MOD_DIR, depmod'
	@echo '  make install          libxyz, <xyz.h>, xyz.pc, man pages, xyz and its bash completion'
	@echo '                        (PREFIX, DESTDIR; into the running system as root: ldconfig)'
	@echo '  make uninstall        undo modules_install and install'
	@echo '  make dkms-install     let DKMS build xyz.ko for the running kernel (docs/dkms.md)'
	@echo '  make dkms-uninstall   remove xyz from DKMS'
	@echo '  make deb              the Debian packages from HEAD, in build/deb/src (docs/dkms.md)'
	@echo '  make clean            the module'"'"'s objects, userspace/build, docs/lesson/build, build/'
	@echo '  make version          print the version'
	@echo
	@echo 'Testing (they install what they need first):'
	@echo '  make demo             boot Debian'"'"'s kernel in QEMU, call every door, compare'
	@echo '  make check            every test; check-host: no VM, check-vm: VM only'
	@echo '  make lint             checkpatch --strict and sparse, every kernel'
	@echo '  make dkms-test        the DKMS round trip on every kernel of the matrix'
	@echo '  make deb-test         the packages installed and purged in a brand-new root'
	@echo '  make debian-tests     autopkgtest, piuparts, lintian, N->N+1 upgrade on Debian 12 and 13'
	@echo '  make secureboot       Debian 13 under OVMF with Secure Boot: unsigned refused, DKMS'"'"'s module loads'
	@echo '  make bench            the benchmark matrix (docs/performance.md)'
	@echo '  make trace            every door'"'"'s call path, instruction by instruction (docs/callpath.md)'
	@echo '  make syscall-path     docs/syscall-path.md and its figure from the trace of Debian 13'"'"'s 6.12'
	@echo '                        (build/trace, made by scripts/trace/run.sh); syscall_path.py check: up to date?'
	@echo '  make soak             trinity on every system call, module unloaded and in each mode'
	@echo '  make sanitize         every selftest and trinity on debug kernels (KASAN, lockdep,'
	@echo '                        UBSAN, kmemleak; KCSAN) with parallel vCPUs: no report allowed'
	@echo '  make sanitize-arm64   the same on an arm64 KASAN kernel (cross-built; qemu-system-aarch64)'
	@echo '  make -s sanitize-paths  vmlinuz=... kdir=... of each debug kernel (built if needed)'
	@echo
	@echo 'Variables:'
	@echo '  KVER=$(KVER)'
	@echo '  KDIR=$(KDIR)'
	@echo '  INSTALL_MOD_PATH=$(INSTALL_MOD_PATH)  INSTALL_MOD_DIR=$(INSTALL_MOD_DIR)'

demo:
	scripts/demo.sh

check:
	scripts/check.sh

check-host:
	scripts/check.sh --host

check-vm:
	scripts/check.sh --vm

lint:
	scripts/checks/lint.sh

install:
	$(MAKE) -C userspace install

version:
	@echo $(XYZ_VERSION)

dkms-install:
	scripts/pkg/dkms.sh install

dkms-uninstall:
	scripts/pkg/dkms.sh uninstall

dkms-test:
	scripts/pkg/dkms.sh test

deb:
	scripts/pkg/deb.sh build

deb-test:
	scripts/pkg/deb.sh test

debian-tests:
	scripts/pkg/debian-tests.sh

secureboot:
	scripts/secureboot/run.sh

bench:
	scripts/bench/run.sh

trace:
	scripts/trace/run.sh

# From the trace make trace (or scripts/trace/run.sh --no-page <release>)
# left in build/trace: scripts/trace/syscall_path.py
syscall-path:
	python3 scripts/trace/syscall_path.py update

soak:
	scripts/soak/run.sh

sanitize:
	scripts/sanitize/run.sh

# not in make sanitize: kernel.sh's default list (sanitize-paths) is what
# other tests boot with qemu-system-x86_64
sanitize-arm64:
	scripts/sanitize/run.sh kasan-arm64

# stdout is the paths only: the build's progress goes to stderr
sanitize-paths:
	@scripts/sanitize/kernel.sh

# No headers needed: kbuild's clean would want them, so remove by name what
# a module build leaves in the tree (objects, .cmd files, modpost's files).
clean:
	find . -path ./.git -prune -o -type f \( -name '*.o' -o -name '*.ko' \
		-o -name '*.cmd' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '*.symtypes' -o -name '*.dwo' -o -name '*.su' \
		-o -name modules.order -o -name Module.symvers \) -print0 | \
		xargs -0r rm -f
	$(MAKE) -C userspace clean
	$(MAKE) -C docs/lesson clean
	rm -rf build
