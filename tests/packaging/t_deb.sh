#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the Debian package from a scratch copy of this tree
# (dpkg-buildpackage -us -uc -b), installs it, checks what it put in place,
# then removes and purges it and checks that nothing of it is left.
# Needs root and debhelper/dpkg-dev/lintian (scripts/install-deps.sh).  The
# host's own meshroute is never touched: the test refuses to run (SKIP,
# exit 77, with the reason) if the host has a meshroute package, a group
# meshroute (the purge would delete it), /etc/meshroute (the admin's config:
# the package's service would start on it, the purge might remove it),
# /var/lib/meshroute (drained ports: the purge removes them), a
# meshrouted unit or any file the package would install (make install's,
# which dpkg -i would overwrite and the purge delete).  Works on Debian 12
# and 13: where the unit goes is what this systemd reads (systemd-analyze
# unit-paths), and the runtime libraries' package names come from the
# binary's own NEEDED entries (libnettle8 on 12, libnettle8t64 on 13).
# Cleans up (purge, temp files) on every exit.  Prints PASS/FAIL lines;
# exit 0 only if all passed.
set -u
cd "$(dirname "$0")/../.." || exit 1
src=$PWD

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
skip() { echo "SKIP: t_deb: $*"; exit 77; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
finish() {
	if [ $fails -eq 0 ]; then
		echo "t_deb: all passed ($((SECONDS - start))s)"
		exit 0
	fi
	echo "t_deb: $fails failed ($((SECONDS - start))s)"
	exit 1
}
start=$SECONDS

if [ "$(id -u)" != 0 ]; then
	echo "FAIL: t_deb needs root (dpkg -i)"
	exit 1
fi
for t in dpkg-buildpackage dh fakeroot lintian readelf systemd-analyze; do
	command -v $t >/dev/null || { echo "FAIL: $t missing: run scripts/install-deps.sh"; exit 1; }
done
# What of meshroute the host has already: not ours to change.
if dpkg-query -W -f='${Status}' meshroute 2>/dev/null | grep -qv 'not-installed'; then
	skip "a meshroute package is installed on this host; not touching it (dpkg -P meshroute first)"
fi
getent group meshroute >/dev/null &&
	skip "this host has a group meshroute (the purge would delete it)"
[ -e /etc/meshroute ] &&
	skip "this host has /etc/meshroute (its config: the package's service would start on it)"
[ -e /var/lib/meshroute ] &&
	skip "this host has /var/lib/meshroute (its drained ports: the purge would delete them)"
units=$(ls -d /etc/systemd/system/meshrouted.service /etc/systemd/system/*/meshrouted.service \
	/lib/systemd/system/meshrouted.service /usr/lib/systemd/system/meshrouted.service \
	/usr/local/lib/systemd/system/meshrouted.service /run/systemd/system/meshrouted.service \
	/var/lib/systemd/deb-systemd-helper-enabled/*meshrouted* 2>/dev/null | xargs)
[ -z "$units" ] || skip "this host has a meshrouted unit or its links: $units"

tmp=$(mktemp -d /tmp/t_deb.XXXXXX)
installed=false
made_state=false
cleanup() {
	if $installed && dpkg-query -W meshroute >/dev/null 2>&1; then
		dpkg -P meshroute >/dev/null 2>&1 || echo "t_deb: cleanup: dpkg -P meshroute failed"
	fi
	# Not there before the test (checked above): the test's own state file.
	$made_state && rm -rf /var/lib/meshroute
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- build from a copy of the working tree, without build output ----
tree=$tmp/meshroute-0.1.0
mkdir -p "$tree"
tar -C "$src" --exclude=./.git --exclude='./build' --exclude='./build-*' \
	--exclude=./debian/meshroute --exclude=./debian/.debhelper --exclude=./debian/files \
	--exclude='./debian/*.substvars' --exclude='./debian/*.debhelper*' \
	--exclude=./debian/debhelper-build-stamp -cf - . | tar -C "$tree" -xf -
# A file the package needs but git ignores is missing from every clone.
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	ignored=$(cd "$src" && git ls-files --others --ignored --exclude-standard -- etc man debian)
	[ -n "$ignored" ] && echo "WARN: git ignores files the package needs (fix .gitignore): $(echo "$ignored" | tr "\n" " ")"
fi
check "tree copied (debian/rules present)" test -x "$tree/debian/rules"

t0=$SECONDS
if (cd "$tree" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b ($((SECONDS - t0))s)"
else
	tail -n 40 "$tmp/build.log" | sed 's/^/    /'
	fail "dpkg-buildpackage failed (log above)"
	finish
fi
deb=$(ls "$tmp"/meshroute_0.1.0-1_*.deb 2>/dev/null | head -n1)
if [ -z "$deb" ]; then
	fail "no meshroute_0.1.0-1_*.deb built"
	finish
fi
pass "built $(basename "$deb")"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
# The unit: in a directory this systemd reads units from (/lib/systemd/system
# on Debian 12, /usr/lib/systemd/system on 13).
unit=$(printf '%s\n' "$contents" | grep -E '/systemd/system/meshrouted\.service$' | head -n1)
if [ -n "$unit" ] && systemd-analyze unit-paths | grep -qx "$(dirname "$unit")"; then
	pass "package has its unit in a directory systemd reads: $unit"
else
	fail "package's unit '${unit:-none}' is not in a directory of 'systemd-analyze unit-paths'"
	unit=/lib/systemd/system/meshrouted.service
fi
for f in /usr/sbin/meshrouted /usr/sbin/meshroutectl \
	/usr/share/man/man8/meshrouted.8.gz /usr/share/man/man8/meshroutectl.8.gz \
	/usr/share/man/man5/meshroute.conf.5.gz \
	/usr/share/bash-completion/completions/meshroutectl \
	/etc/iproute2/rt_protos.d/meshroute.conf /usr/share/doc/meshroute/copyright \
	/usr/share/doc/meshroute/changelog.Debian.gz; do
	if printf '%s\n' "$contents" | grep -qx "$f"; then pass "package has $f"; else fail "package lacks $f"; fi
done
# Not ours to overwrite (and then purge): files of the package the host has
# already, from "make install" or by hand.
there=$(printf '%s\n' "$contents" | grep -v '/$' | while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done | xargs)
[ -z "$there" ] || skip "this host already has files the package installs (make install?): $there"
if printf '%s\n' "$contents" | grep -qE '^/usr/share/doc/meshroute/examples/meshroute\.conf(\.gz)?$'; then
	pass "package has the example config in /usr/share/doc/meshroute/examples"
else
	fail "package lacks /usr/share/doc/meshroute/examples/meshroute.conf"
fi
if printf '%s\n' "$contents" | grep -qE '^/etc/meshroute/'; then
	fail "package ships files in /etc/meshroute (the configuration is the admin's)"
else
	pass "package ships nothing in /etc/meshroute"
fi
conffiles=$(dpkg-deb -I "$deb" conffiles 2>/dev/null)
if [ "$conffiles" = "/etc/iproute2/rt_protos.d/meshroute.conf" ]; then
	pass "only conffile: /etc/iproute2/rt_protos.d/meshroute.conf"
else
	fail "unexpected conffiles: $(echo "$conffiles" | tr "\n" " ")"
fi
deps=$(dpkg-deb -f "$deb" Depends)
for d in iproute2 adduser; do
	if printf '%s\n' "$deps" | grep -qw "$d"; then pass "Depends has $d"; else fail "Depends lacks $d ($deps)"; fi
done
# Every library the daemon links (its NEEDED entries), by the name of the
# package that ships it on this release (libnettle8 on Debian 12,
# libnettle8t64 on 13, ...).
mkdir -p "$tmp/x"
dpkg-deb -x "$deb" "$tmp/x"
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
needed=$(readelf -d "$tmp/x/usr/sbin/meshrouted" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || fail "readelf found no NEEDED library in meshrouted"
for so in $needed; do
	pkg=$(dpkg -S "*/${ma:-*}/$so" 2>/dev/null | cut -d: -f1 | sort -u | head -n1)
	if [ -z "$pkg" ]; then
		fail "no installed package ships $so (NEEDED by meshrouted)"
	elif printf '%s\n' "$deps" | grep -qw -- "$pkg"; then
		pass "Depends has $pkg ($so)"
	else
		fail "Depends lacks $pkg, which ships $so ($deps)"
	fi
done
# The maintainer address meshroute@localhost is deliberate.
lintian --tag-display-limit 0 \
	--suppress-tags bogus-mail-host,bogus-mail-host-in-debian-changelog,initial-upload-closes-no-bugs \
	"$deb" >"$tmp/lintian.out" 2>&1
lrc=$?
grep -E '^[EWI]:' "$tmp/lintian.out" >"$tmp/lintian.log"
if grep -q '^E:' "$tmp/lintian.log"; then
	sed 's/^/    /' "$tmp/lintian.log"
	fail "lintian reports errors"
elif [ $lrc -ne 0 ] && [ $lrc -ne 2 ]; then
	tail -n 10 "$tmp/lintian.out" | sed 's/^/    /'
	fail "lintian itself failed (exit $lrc)"
else
	pass "lintian: no errors ($(grep -c '^W:' "$tmp/lintian.log") warnings)"
	grep '^W:' "$tmp/lintian.log" | sed 's/^/    /'
fi

# ---- install ----
installed=true
if dpkg -i "$deb" >"$tmp/install.log" 2>&1; then
	pass "dpkg -i"
else
	sed 's/^/    /' "$tmp/install.log"
	fail "dpkg -i failed"
	finish
fi
files=$(dpkg -L meshroute | while read -r f; do [ -d "$f" ] || echo "$f"; done)

if [ "$(/usr/sbin/meshrouted -V 2>&1)" = "meshrouted 0.1.0" ]; then
	pass "/usr/sbin/meshrouted -V says meshrouted 0.1.0"
else
	fail "/usr/sbin/meshrouted -V: $(/usr/sbin/meshrouted -V 2>&1)"
fi
check "/usr/sbin/meshroutectl is executable" test -x /usr/sbin/meshroutectl
for p in meshrouted.8 meshroutectl.8 meshroute.conf.5; do
	sec=${p##*.}
	check "man page $p renders (man -l)" sh -c "man -l /usr/share/man/man$sec/$p.gz | grep -q ."
done
check "man -w finds meshroute.conf(5)" man -w 5 meshroute.conf
check "unit runs /usr/sbin/meshrouted -f" grep -qx 'ExecStart=/usr/sbin/meshrouted -f' $unit
check "unit needs /etc/meshroute/meshroute.conf" \
	grep -qx 'ConditionPathExists=/etc/meshroute/meshroute.conf' $unit
out=$(systemd-analyze verify --man=no $unit 2>&1)
if [ -z "$(printf '%s\n' "$out" | grep meshrouted)" ]; then
	pass "systemd-analyze verify of the installed unit: clean"
else
	printf '%s\n' "$out" | sed 's/^/    /'
	fail "systemd-analyze verify of the installed unit"
fi
check "unit enabled by dh_installsystemd (multi-user.target.wants)" \
	test -L /etc/systemd/system/multi-user.target.wants/meshrouted.service
check "rt_protos.d names proto 204 meshroute" \
	grep -qE '^204[[:space:]]+meshroute$' /etc/iproute2/rt_protos.d/meshroute.conf
check "ip understands 'proto meshroute'" ip route show proto meshroute
example=/usr/share/doc/meshroute/examples/meshroute.conf
[ -f $example ] || { [ -f $example.gz ] && gunzip -c $example.gz >"$tmp/example.conf" && example=$tmp/example.conf; }
check "example config passes meshrouted --check-config -n n1" \
	/usr/sbin/meshrouted --check-config -c "$example" -n n1
check "group meshroute exists (postinst)" getent group meshroute
check "no /etc/meshroute/meshroute.conf installed" test ! -e /etc/meshroute/meshroute.conf
# Drained ports live in /var/lib/meshroute/drained (StateDirectory=): an
# upgrade (here: the same package again) and a removal keep them.
made_state=true
mkdir -p /var/lib/meshroute
printf 'enp65s0f0 2026-01-01T00:00:00Z\n' >/var/lib/meshroute/drained
check "dpkg -i again (reinstall, postinst idempotent)" dpkg -i "$deb"
check "drained ports kept across the upgrade" grep -q '^enp65s0f0 ' /var/lib/meshroute/drained

# ---- remove, then purge ----
if dpkg -r meshroute >"$tmp/remove.log" 2>&1; then pass "dpkg -r"; else
	sed 's/^/    /' "$tmp/remove.log"; fail "dpkg -r failed"; fi
left=$(for f in $files; do [ -e "$f" ] && [ "$f" != /etc/iproute2/rt_protos.d/meshroute.conf ] && echo "$f"; done)
if [ -z "$left" ]; then pass "dpkg -r removed every file but the conffile"; else
	fail "dpkg -r left: $(echo "$left" | tr "\n" " ")"; fi
check "conffile kept until purge" test -e /etc/iproute2/rt_protos.d/meshroute.conf
check "drained ports kept until purge" test -e /var/lib/meshroute/drained

if dpkg -P meshroute >"$tmp/purge.log" 2>&1; then pass "dpkg -P"; else
	sed 's/^/    /' "$tmp/purge.log"; fail "dpkg -P failed"; fi
installed=false
left=$(for f in $files; do [ -e "$f" ] && echo "$f"; done)
if [ -z "$left" ]; then pass "dpkg -P removed every file of the package"; else
	fail "dpkg -P left: $(echo "$left" | tr "\n" " ")"; fi
left=$(ls -d /etc/systemd/system/*/meshrouted.service /etc/systemd/system/meshrouted.service \
	/var/lib/systemd/deb-systemd-helper-enabled/*meshrouted* \
	/var/lib/systemd/deb-systemd-helper-enabled/*/meshrouted.service \
	/var/lib/systemd/deb-systemd-helper-masked/meshrouted.service \
	/etc/meshroute /usr/share/doc/meshroute /var/lib/meshroute /var/lib/dpkg/info/meshroute.* 2>/dev/null)
if [ -z "$left" ]; then pass "no unit links, helper state, doc or dpkg info left"; else
	fail "left behind: $(echo "$left" | tr "\n" " ")"; fi
if getent group meshroute >/dev/null; then fail "group meshroute still exists after purge"; else
	pass "group meshroute removed by purge"; fi
if dpkg-query -W meshroute >/dev/null 2>&1; then fail "dpkg still knows meshroute"; else
	pass "dpkg no longer knows meshroute"; fi

finish
