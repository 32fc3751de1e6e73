#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# A busy host must not cause a false failover.  Load: CPU saturation:
# stress-ng keeps every core busy (two workers per core), as Ceph recovery
# does.
# Two 3-node meshes live through it side by side (tests/lab/busy_lib.sh):
# one at the daemon's defaults (20ms x 3), one at 10ms x 3 with the settings
# README.md recommends for busy nodes (realtime = yes).  For 25 s (BUSY_SECS) no session may
# flap and no route may move on any of the six nodes; then, under the same
# load, one cable of each mesh goes silent: both ends must declare it Down
# within the detection time plus one more (busy_cut says why), its routes must
# leave it, and nothing else may move.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/busy_lib.sh"
busy_test cpu
