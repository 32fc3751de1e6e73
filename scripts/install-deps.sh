#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The one place that lists meshroute's Debian packages: build, tests, lab and demo.
# Installs only what is missing, so a second run is quick and needs no network.
set -eu

PKGS="build-essential pkg-config clang libmnl-dev libinih-dev libcmocka-dev
libsystemd-dev libssl-dev libcap-ng-dev openscad python3 iproute2 nftables procps psmisc kmod
systemd groff-base man-db mandoc debhelper dpkg-dev fakeroot frr iperf3 stress-ng"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing; run as root (sudo make ...)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
