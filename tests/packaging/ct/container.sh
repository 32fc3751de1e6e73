# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# A Debian system with a real systemd as PID 1, for tests of what only the
# installed package under systemd shows (the unit's sandbox, ExecReload,
# journald priorities, upgrades): a root file system made by debootstrap
# from Debian's archive, booted with systemd-nspawn on a private network
# (loopback only), running one test script as a service, then powered off.
# Sourced by tests/packaging/t_service.sh and tests/contrib/t_alert_mta.sh.
#
#   ct_init DIST [PKG...]  root file system of Debian DIST (bookworm,
#                          trixie) with meshroute's dependencies, postfix
#                          (as Proxmox VE has it), msmtp and PKG, in $CT_ROOT; cached
#                          as build/container/DIST-HASH.tar.gz (make clean
#                          removes it), so only the first run downloads
#   ct_deb                 builds meshroute's .deb from this tree (cached
#                          by content) into $CT_DEB; copied to /mrtest/ in
#                          the root file system
#   ct_run CMD...          runs CMD in the root file system (nspawn, no boot,
#                          private network), the tree copied to /src
#   ct_test NAME DIST SCRIPT  all of the above for one test, then exits
#   ct_boot SCRIPT [SECS]  copies SCRIPT to /mrtest/run.sh, boots, runs it
#                          as mrtest.service (its output in $CT_OUT), powers
#                          off; returns the script's exit status
#
# Needs root, debootstrap, systemd-container (scripts/install-deps.sh) and
# Debian's mirror (the one apt uses).  Everything is under $CT_TMP, removed
# on exit by ct_cleanup (sourcing this file sets the traps).

if [ "$(id -u)" != 0 ]; then
	echo "FAIL: $(basename "$0") needs root (a container)"
	exit 1
fi
trap ct_cleanup EXIT
trap 'exit 1' INT TERM HUP
CT_START=$SECONDS
CT_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
CT_CACHE=${CT_CACHE:-$CT_REPO/build/container}
CT_TMP=$(mktemp -d /tmp/mrct.XXXXXX)
CT_ROOT=$CT_TMP/root
CT_MACHINE=mrct$$
CT_OUT=$CT_TMP/out.log
CT_DEB=
# postfix as Proxmox VE has it: local only (loopback), mail for root kept.
# The protocols are named: detected inside a chroot they come out empty,
# which disables every inet service.
CT_PRESEED="postfix postfix/main_mailer_type select Local only
postfix postfix/mailname string ct.example
postfix postfix/protocols select all"

# The mirror apt on this host uses (deb.debian.org unless configured otherwise).
ct_mirror() {
	local m
	m=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/* *$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security | head -n1)
	[ -n "$m" ] || m=$(awk '$1 == "deb" && $2 ~ /^http/ && $2 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null)
	echo "${m:-http://deb.debian.org/debian}"
}

ct_cleanup() {
	[ -n "${CT_TMP:-}" ] || return 0
	# An nspawn that was killed leaves its propagation directory behind.
	rm -rf "/run/systemd/nspawn/propagate/$CT_MACHINE" 2>/dev/null
	rm -rf --one-file-system "$CT_TMP"
}

ct_init() {
	local dist=$1 key tarball log
	shift
	set -- libmnl0 libinih1 "$(ct_nettle "$dist")" libcap-ng0 adduser postfix msmtp "$@"
	for t in debootstrap systemd-nspawn; do
		command -v $t >/dev/null || { echo "FAIL: $t missing: run scripts/install-deps.sh"; return 1; }
	done
	key=$(printf '%s\n' "$dist" "$@" "$CT_PRESEED" | sha256sum | cut -c1-12)
	tarball=$CT_CACHE/$dist-$key.tar.gz
	mkdir -p "$CT_ROOT" "$CT_CACHE"
	if [ -s "$tarball" ]; then
		tar -C "$CT_ROOT" -xzf "$tarball" || return 1
		return 0
	fi
	log=$CT_TMP/debootstrap.log
	echo "container: debootstrap $dist from $(ct_mirror) (once; cached in $tarball)"
	# minbase + what a Debian server has: systemd as init, dbus, iproute2.
	if ! debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iproute2,procps \
		"$dist" "$CT_ROOT" "$(ct_mirror)" >"$log" 2>&1; then
		tail -n 20 "$log"
		echo "FAIL: debootstrap $dist failed (log above)"
		return 1
	fi
	if [ $# -gt 0 ]; then
		printf '%s\n' "$CT_PRESEED" | chroot "$CT_ROOT" debconf-set-selections
		if ! chroot "$CT_ROOT" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1; then
			tail -n 20 "$log"
			echo "FAIL: apt-get install $* in the $dist root failed (log above)"
			return 1
		fi
		chroot "$CT_ROOT" apt-get clean
	fi
	# A machine id, a host name and no getty: it boots headless.
	: >"$CT_ROOT/etc/machine-id"
	echo ct >"$CT_ROOT/etc/hostname"
	tar -C "$CT_ROOT" -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
}

# The nettle runtime package of DIST: Debian 13 renamed it in the 64-bit time_t transition.
ct_nettle() {
	case $1 in
	bookworm) echo libnettle8 ;;
	*) echo libnettle8t64 ;;
	esac
}

# The tree's files (relative names), without build output: as git sees
# them, or every file but build*/ and .git when the tree is not a git
# checkout (an unpacked tarball).
ct_files() {
	if git -C "$CT_REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$CT_REPO" && git ls-files -co --exclude-standard -- . ':!build' ':!build-*')
	else
		(cd "$CT_REPO" && find . \( -path ./.git -o -path ./build -o -path './build-*' \) -prune \
			-o -type f -print | sed 's|^\./||')
	fi
}

# Content hash of the tree the package is built from.
ct_tree_hash() {
	ct_files | sort | (cd "$CT_REPO" && xargs -d '\n' sha256sum 2>/dev/null) | sha256sum | cut -c1-12
}

ct_deb() {
	local key tree log
	key=$(ct_tree_hash)
	CT_DEB=$(ls "$CT_CACHE"/deb-"$key"/meshroute_*.deb 2>/dev/null | head -n1)
	if [ -z "$CT_DEB" ]; then
		tree=$CT_TMP/src/meshroute
		log=$CT_TMP/build.log
		mkdir -p "$tree" "$CT_CACHE/deb-$key"
		ct_files | (cd "$CT_REPO" && tar -cf - -T -) | tar -C "$tree" -xf -
		# Unit tests run in their own suite; here only the package matters.
		if ! (cd "$tree" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$log" 2>&1; then
			tail -n 30 "$log"
			echo "FAIL: dpkg-buildpackage failed (log above)"
			return 1
		fi
		cp "$CT_TMP"/src/meshroute_*.deb "$CT_CACHE/deb-$key/"
		# Packages of other trees are of no more use.
		find "$CT_CACHE" -maxdepth 1 -name 'deb-*' ! -name "deb-$key" -exec rm -rf {} +
		CT_DEB=$(ls "$CT_CACHE"/deb-"$key"/meshroute_*.deb | head -n1)
	fi
	mkdir -p "$CT_ROOT/mrtest"
	cp "$CT_DEB" "$CT_ROOT/mrtest/meshroute.deb"
}

ct_run() {
	systemd-nspawn -q --register=no --keep-unit --machine="$CT_MACHINE" -D "$CT_ROOT" \
		--private-network --chdir=/src "$@"
	local rc=$?
	rm -rf "/run/systemd/nspawn/propagate/$CT_MACHINE" 2>/dev/null
	return $rc
}

# ct_src: this tree (as git sees it, without build output) in /src of the root.
ct_src() {
	mkdir -p "$CT_ROOT/src"
	ct_files | (cd "$CT_REPO" && tar -cf - -T -) | tar -C "$CT_ROOT/src" -xf -
}

ct_boot() {
	local script=$1 secs=${2:-240} rc
	mkdir -p "$CT_ROOT/mrtest"
	cp "$script" "$CT_ROOT/mrtest/run.sh"
	cp "$CT_REPO/tests/packaging/ct/common.sh" "$CT_ROOT/mrtest/"
	chmod 0755 "$CT_ROOT/mrtest/run.sh"
	rm -f "$CT_ROOT/mrtest/rc" "$CT_ROOT/mrtest/out.log"
	cat >"$CT_ROOT/etc/systemd/system/mrtest.service" <<-'EOF'
	[Unit]
	Description=meshroute container test
	After=multi-user.target
	[Service]
	Type=oneshot
	StandardOutput=file:/mrtest/out.log
	StandardError=inherit
	ExecStart=/bin/sh -c '/mrtest/run.sh; echo $? >/mrtest/rc'
	ExecStartPost=/bin/systemctl --no-block poweroff
	[Install]
	WantedBy=multi-user.target
	EOF
	mkdir -p "$CT_ROOT/etc/systemd/system/multi-user.target.wants"
	ln -sf /etc/systemd/system/mrtest.service "$CT_ROOT/etc/systemd/system/multi-user.target.wants/"
	# --register=no --keep-unit: no systemd-machined needed on the host.
	timeout --foreground -k 10 "$secs" systemd-nspawn -q --register=no --keep-unit \
		--machine="$CT_MACHINE" -D "$CT_ROOT" --private-network -b >"$CT_TMP/boot.log" 2>&1
	rc=$?
	rm -rf "/run/systemd/nspawn/propagate/$CT_MACHINE" 2>/dev/null
	cp "$CT_ROOT/mrtest/out.log" "$CT_OUT" 2>/dev/null || : >"$CT_OUT"
	if [ ! -s "$CT_ROOT/mrtest/rc" ]; then
		[ $rc = 124 ] && echo "container: no result after $secs s" || echo "container: no result (nspawn exit $rc)"
		tail -n 15 "$CT_TMP/boot.log" | sed 's/^/    /'
		return 1
	fi
	return "$(cat "$CT_ROOT/mrtest/rc")"
}

# ct_test NAME DIST SCRIPT: the whole of a container test: root file system,
# package, boot with SCRIPT, its output; exits with its status.
ct_test() {
	local name=$1 dist=$2 script=$3 rc
	ct_init "$dist" || exit 1
	ct_deb || exit 1
	echo "container ready ($((SECONDS - CT_START)) s); booting Debian $dist"
	ct_boot "$script" 240
	rc=$?
	cat "$CT_OUT"
	echo "$name: exit $rc ($((SECONDS - CT_START)) s)"
	exit $rc
}
