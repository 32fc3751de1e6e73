#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Checks etc/meshrouted.service without installing anything: a copy whose
# ExecStart points at the built binary goes through `systemd-analyze verify`
# (any line it prints about the unit is a failure) and, when this systemd
# supports --offline, `systemd-analyze security` (exposure must stay <= 3.0).
# Run from anywhere; needs systemd (the systemd-analyze tool, not a running
# systemd) and builds build/meshrouted if it is missing.
set -u
cd "$(dirname "$0")/../.." || exit 1

unit=etc/meshrouted.service
max_exposure=3.0
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v systemd-analyze >/dev/null; then
	echo "FAIL: systemd-analyze not found (apt-get install systemd)"
	exit 1
fi
if [ ! -x build/meshrouted ] || [ ! -x build/meshroutectl ]; then
	make --no-print-directory build/meshrouted build/meshroutectl >"$tmp/make.log" 2>&1 ||
		{ cat "$tmp/make.log"; echo "FAIL: cannot build build/meshrouted"; exit 1; }
fi

# The installed unit must run the installed binary, in the foreground.
if grep -qx 'ExecStart=/usr/sbin/meshrouted -f' "$unit"; then
	pass "ExecStart is /usr/sbin/meshrouted -f"
else
	fail "ExecStart is not '/usr/sbin/meshrouted -f'"
fi
for want in 'Type=notify' 'ConditionPathExists=/etc/meshroute/meshroute.conf' \
	'WatchdogSec=5s' 'RuntimeDirectory=meshroute' 'RuntimeDirectoryMode=0755' \
	'ExecReload=/usr/sbin/meshroutectl reload' 'Documentation=man:meshrouted(8)'; do
	if grep -qF -- "$want" "$unit"; then
		pass "unit has $want"
	else
		fail "unit lacks $want"
	fi
done

# Same unit name, so that messages and [Install] checks are the real ones.
# (ExecReload runs meshroutectl: systemd 257 checks that it exists too.)
sed -e "s|^ExecStart=/usr/sbin/meshrouted|ExecStart=$PWD/build/meshrouted|" \
	-e "s|^ExecReload=/usr/sbin/meshroutectl|ExecReload=$PWD/build/meshroutectl|" "$unit" \
	>"$tmp/meshrouted.service"
out=$(cd "$tmp" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
	./meshrouted.service 2>&1)
rc=$?
bad=$(printf '%s\n' "$out" | grep -E 'meshrouted\.service|meshrouted' || true)
if [ $rc -eq 0 ] && [ -z "$bad" ]; then
	pass "systemd-analyze verify: no warnings"
else
	printf '%s\n' "$out" | sed 's/^/    /'
	fail "systemd-analyze verify (exit $rc) complained about the unit"
fi

# systemd >= 250 can score a unit file that is not installed; an older one
# cannot, which is a skip (said, and the exit status says it); a newer one
# whose output has no score is a failure.
skipped=
version=$(systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
sec=$(systemd-analyze security --offline=yes "$tmp/meshrouted.service" 2>&1)
score=$(printf '%s\n' "$sec" | sed -n 's/.*Overall exposure level for meshrouted.service: \([0-9.]*\).*/\1/p')
if [ -z "$score" ] && [ -n "$version" ] && [ "$version" -lt 250 ]; then
	skipped="systemd $version: systemd-analyze security --offline needs 250 or later"
	echo "SKIP: $skipped"
elif [ -z "$score" ]; then
	printf '%s\n' "$sec" | tail -n 5 | sed 's/^/    /'
	fail "systemd-analyze security (systemd ${version:-of unknown version}) gave no exposure score"
elif awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
	pass "systemd-analyze security: exposure $score (at most $max_exposure)"
else
	printf '%s\n' "$sec" | grep '✗' | sed 's/^/    /'
	fail "systemd-analyze security: exposure $score is above $max_exposure"
fi

if [ $fails -eq 0 ] && [ -n "$skipped" ]; then
	echo "t_systemd: all run passed; SKIP: $skipped"
	exit 77
fi
if [ $fails -eq 0 ]; then
	echo "t_systemd: all passed"
	exit 0
fi
echo "t_systemd: $fails failed"
exit 1
