# vfio-dmabuf-tph: the patch series in series/ and the harness that proves it.
#
#   make demo     fetch the base, apply series/, build, boot the patched kernel on
#                 the TPH-patched QEMU and show the feature working
#   make check    everything: static checks per patch, config matrix, build, both
#                 QEMU runs (kselftests, KUnit, guest tests), the harness self-test
#
# Steps on their own: base apply export build initramfs qemu-patched qemu-stock
# checkpatch kernel-doc patch-compile header-check matrix harness-test.
# Variables (see docs/testing.md): FORCE=1 EXTRA_GUEST_TESTS=DIR SERIES=DIR
# BASE_REPO=DIR BASE_REF=REF BASE_VERSION=V WORK=DIR BUILD=DIR JOBS=N V=1
# QEMU_TIMEOUT=S KUNIT_BOOT=0 MATRIX="ENTRY..." EXTRA_KCONFIG="FRAG..." HARNESS_SELFTEST=0
#   make posting FROM="Name <address>"   out/posting/: series/ as b4 send -o writes it,
#                 signed off by FROM, To/Cc from get_maintainer.pl (README, Posting)
#   make stress DURATION=S SEEDS="N..."   the concurrency stress alone, long, with hang detection
#   make mutants [MUTANTS="01 05"]   mutation testing: every mutant of tests/mutants killed?

SHELL := /bin/bash
S := scripts

export FORCE EXTRA_GUEST_TESTS SERIES BASE_REPO BASE_REF WORK BUILD JOBS V \
	QEMU_TIMEOUT KUNIT_BOOT MATRIX EXTRA_KCONFIG HARNESS_SELFTEST VDT_OUT \
	FROM POSTING_OUT POSTING_BRANCH MUTANTS
ifdef BASE_VERSION
export VDT_BASE_VERSION := $(BASE_VERSION)
endif

.PHONY: help check demo host base apply export build kselftests importer initramfs \
	qemu qemu-patched qemu-stock checkpatch kernel-doc patch-compile header-check \
	matrix harness-test sparse posting stress mutants clean

help:
	@sed -n '2,17p' Makefile | sed 's/^# \{0,1\}//'

check:
	@$(S)/check.sh

demo:
	@$(S)/demo.sh

host:
	@$(S)/setup-host.sh

base:
	@$(S)/fetch-base.sh

sparse: base
	@$(S)/fetch-sparse.sh

apply: base
	@$(S)/apply.sh

export:
	@$(S)/export.sh

build:
	@$(S)/build.sh

kselftests:
	@$(S)/build-kselftests.sh

importer:
	@$(S)/build-importer.sh; rc=$$?; [ $$rc = 0 ] || [ $$rc = 77 ]

initramfs:
	@$(S)/mkinitramfs.sh

qemu:
	@tests/qemu/build-qemu.sh

qemu-patched: initramfs
	@$(S)/run-qemu.sh patched check

qemu-stock: initramfs
	@$(S)/run-qemu.sh stock check

stress: importer initramfs
	@$(S)/stress.sh

mutants:
	@$(S)/mutants.sh

checkpatch kernel-doc header-check matrix:
	@$(S)/$@.sh

patch-compile:
	@$(S)/compile-patches.sh

harness-test:
	@tests/harness/run.sh

posting: host base
	@$(S)/posting.sh

clean:
	rm -rf out
