#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make check-trixie`: meshroute on Debian 13 "trixie" (Proxmox VE 9's
# base), in a root file system made by debootstrap from Debian's archive
# (tests/packaging/ct/, cached in build/container/): the package builds
# there with its unit tests (dpkg-buildpackage runs them), then the
# packaging and docs tests run in it (t_deb installs, checks and purges the
# .deb, t_man, t_systemd, t_docs), then t_service boots a trixie container
# with the installed unit.  Needs root and Debian's mirror (not in make
# check for that reason).  Leaves nothing behind but the cache.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/packaging/ct/container.sh
fails=0
step() {	# step WHAT CMD...: runs CMD in the trixie root, PASS/FAIL
	local what=$1 log
	shift
	log=$CT_TMP/$(echo "$what" | tr -c 'a-z0-9' _).log
	if ct_run "$@" >"$log" 2>&1; then
		echo "PASS: $what"
	else
		tail -n 40 "$log" | sed 's/^/    /'
		echo "FAIL: $what"
		fails=$((fails + 1))
	fi
}

# What Build-Depends names, and what the packaging tests use.
ct_init trixie build-essential debhelper dpkg-dev fakeroot pkg-config libmnl-dev \
	libinih-dev libsystemd-dev systemd-dev nettle-dev libcap-ng-dev libcmocka-dev \
	systemd groff-base man-db mandoc lintian python3 git ca-certificates || exit 1
ct_src
echo "check-trixie: root file system ready ($((SECONDS - CT_START)) s): $(cat "$CT_ROOT/etc/debian_version"), $(chroot "$CT_ROOT" dpkg-query -W -f='gcc ${Version}' gcc 2>/dev/null), $(chroot "$CT_ROOT" dpkg-query -W -f='systemd ${Version}' systemd)"
step "dpkg-checkbuilddeps (Build-Depends satisfiable on trixie)" dpkg-checkbuilddeps
step "dpkg-buildpackage -us -uc -b, unit tests included" dpkg-buildpackage -us -uc -b
step "make unit (every unit test, with -Werror)" make -j2 unit
step "tests/packaging/t_man.sh" tests/packaging/t_man.sh
step "tests/packaging/t_systemd.sh" tests/packaging/t_systemd.sh
step "tests/packaging/t_docs.sh" tests/packaging/t_docs.sh
step "tests/packaging/t_deb.sh (install, check, purge)" tests/packaging/t_deb.sh
for f in "$CT_TMP"/*.log; do
	case $f in *t_deb*) grep -E '^(PASS|FAIL|SKIP|WARN)' "$f" | sed 's/^/    /' ;; esac
done
ct_cleanup
echo "== t_service on trixie"
if DIST=trixie tests/packaging/t_service.sh; then echo "PASS: t_service (trixie)"; else
	echo "FAIL: t_service (trixie)"; fails=$((fails + 1)); fi
echo "check-trixie: $([ $fails = 0 ] && echo "all passed" || echo "$fails failed") ($((SECONDS - CT_START)) s)"
exit $((fails != 0))
