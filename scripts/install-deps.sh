#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The one place that lists meshroute's Debian packages: build, tests, lab and demo.
# Installs only what is missing, so a second run is quick and needs no network.
set -eu

PKGS="build-essential pkg-config clang libmnl-dev libinih-dev libcmocka-dev
libsystemd-dev nettle-dev libcap-ng-dev openscad python3 iproute2 nftables procps psmisc kmod
systemd groff-base man-db mandoc debhelper dpkg-dev fakeroot lintian frr bird2 iperf3 stress-ng iputils-ping libfaketime
debootstrap systemd-container bash-completion graphviz prometheus jq"

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

# frr and bird2 only run inside the lab's namespaces (tests/lab/t_interop_*),
# with their own configs and sockets, and of prometheus only promtool runs:
# the host services their packages just installed and started are stopped
# and disabled.  Packages that were already installed (a router's own FRR
# or BIRD, a monitoring host's Prometheus) are left alone.
for p in $missing; do
	case $p in
	frr) svc=frr ;;
	bird2) svc=bird ;;
	prometheus) svc=prometheus ;;
	*) continue ;;
	esac
	echo "install-deps: stopping and disabling the host's $svc service (tests run their own, if any)"
	systemctl disable --now "$svc" >/dev/null 2>&1 || systemctl disable "$svc" >/dev/null 2>&1 || true
	[ -d /run/systemd/system ] || invoke-rc.d "$svc" stop >/dev/null 2>&1 || true
done
