#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Alerts that reach a person on a stock Proxmox VE host, with a REAL MTA:
# a Debian container (tests/packaging/ct/: debootstrap, systemd-nspawn,
# private network) with postfix configured as Proxmox VE has it and msmtp,
# the .deb built from this tree, meshrouted running as the installed unit
# (its sandbox) with contrib/meshroute-alert-mail as alert command, and a
# peer in a network namespace.  tests/packaging/ct/alert_mta.sh measures
# that sendmail (postdrop) cannot queue under the sandbox, and checks that
# with /etc/meshroute/msmtprc the alert lands in root's mailbox.
# Needs root and Debian's mirror the first time (cached in build/container/).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/packaging/ct/container.sh
ct_test t_alert_mta "${DIST:-bookworm}" tests/packaging/ct/alert_mta.sh
