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

ct_init "${DIST:-bookworm}" || exit 1
ct_deb || exit 1
echo "container ready ($((SECONDS - CT_START)) s); booting"
ct_boot tests/packaging/ct/service.sh 240
rc=$?
cat "$CT_OUT"
echo "t_service: exit $rc ($((SECONDS - CT_START)) s)"
exit $rc
