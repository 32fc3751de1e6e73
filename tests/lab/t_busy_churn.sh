#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# A busy host must not cause a false failover.  Load: interface churn: a
# loop creates a network namespace, adds 100 veth pairs in it and deletes it
# again (guests starting and stopping), as fast as the host lets it.
# A 3-node mesh at the daemon's defaults (20ms x 3, README's advice for
# busy nodes) lives through it (tests/lab/busy_lib.sh): for 25 s (BUSY_SECS)
# no session may flap and no route may move on any node; then, under the
# same load, one cable goes silent: both ends must declare it Down within
# the detection time plus one more (busy_cut says why), its routes must
# leave it, and nothing else may move.  BUSY_FAST=1 adds a 10ms x 3 mesh
# (realtime = no), held to the same rules: it passes under this load, but
# flaps when the host is loaded further (docs/BENCHMARKS.md, "Busy host").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/busy_lib.sh"
busy_test churn
