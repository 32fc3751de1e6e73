#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# t_multipath_load.sh over IPv6: 16 TCP flows share two cables through a
# /128 route over a group of nexthop objects, and survive one cable going
# silent.
MP_FAMILY=6 exec bash "$(dirname "$0")/t_multipath_load.sh"
