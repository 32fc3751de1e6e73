#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The package under a real systemd: a Debian container (debootstrap, booted
# with systemd-nspawn on a private network, tests/packaging/ct/) installs
# the .deb built from this tree, then tests/packaging/ct/service.sh checks
# journald priorities, `systemctl reload` (fails on a broken file), a
# drained port across a restart and a package upgrade, a moved control
# socket, and purge.  DIST=trixie runs it on Debian 13.
# Needs root and Debian's mirror the first time (the root file system is
# cached in build/container/); leaves nothing behind.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/packaging/ct/container.sh
ct_test t_service "${DIST:-bookworm}" tests/packaging/ct/service.sh
