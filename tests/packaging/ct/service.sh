#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs INSIDE the test container (see t_service.sh), as root under systemd:
# the .deb installed and started by its postinst, then what an admin meets
# in the first week: journald priorities, `systemctl reload` of a good and
# of a broken file, a drained port across a restart and a package upgrade,
# a moved control socket, purge.
set -u
. /mrtest/common.sh

drained() { meshroutectl -j status | grep -q '"port":"fast0","link":"drained"'; }

ct_net
# fast9 does not exist: a warning line for the journal's priorities.
ct_config
sed -i 's/^fast = fast0$/fast = fast0 fast9/' /etc/meshroute/meshroute.conf
sed -i '/^\[node n2\]/,$ s/^fast = fast0 fast9$/fast = fast0/' /etc/meshroute/meshroute.conf

echo "== dpkg -i (the config exists: postinst starts the unit)"
if DEBIAN_FRONTEND=noninteractive dpkg -i /mrtest/meshroute.deb >/run/dpkg.log 2>&1; then
	pass "dpkg -i"
else
	sed 's/^/    /' /run/dpkg.log
	fail "dpkg -i"
	finish service
fi
check "meshrouted is active after install" wait_for 10 systemctl is-active meshrouted
ct_peer_start
if wait_for 15 ct_route_is fast0; then pass "route to n2 over fast0"; else fail "route to n2: $(ct_route)"; fi

echo "== journald: every line at its priority"
journalctl -u meshrouted -o json --no-pager >/run/j.json
prio_of() { grep -F "\"MESSAGE\":\"$1" /run/j.json | grep -o '"PRIORITY":"[0-9]"' | head -n1 | tr -dc 0-9; }
check "start-up line at info (6)" [ "$(prio_of 'node n1: ')" = 6 ]
check "missing port at warning (4)" [ "$(prio_of 'port fast9 does not exist')" = 4 ]
check "path change at notice (5)" [ "$(prio_of 'n2 (10.99.0.2): path LAN -> fast0')" = 5 ]
warn=$(journalctl -u meshrouted -p warning --no-pager -o cat)
check "journalctl -p warning shows the warning" grep -q 'port fast9 does not exist' <<<"$warn"
check "journalctl -p warning leaves out info" sh -c '! printf "%s\n" "$1" | grep -q "node n1: "' - "$warn"
check "no \"<N>\" left in the messages" sh -c '! grep -q "\"MESSAGE\":\"<[0-9]>" /run/j.json'

echo "== systemctl reload: a good file, then a broken one"
pid=$(ct_pid)
check "systemctl reload (good file) succeeds" systemctl reload meshrouted
check "reload logged as applied" wait_for 3 sh -c 'journalctl -u meshrouted --no-pager -o cat | grep -q "reload: .* applied"'
cp /etc/meshroute/meshroute.conf /run/good.conf
sed -i 's/^\[global\]$/&\nintervall = 20ms/' /etc/meshroute/meshroute.conf
if systemctl reload meshrouted 2>/run/reload.err; then
	fail "systemctl reload of a broken file succeeded"
else
	pass "systemctl reload of a broken file fails"
fi
journalctl -u meshrouted --no-pager -o cat >/run/j.txt
check "the journal says what is wrong (line and key)" grep -q 'intervall' /run/j.txt
check "the journal says the file was rejected" grep -q 'rejected' /run/j.txt
check "the daemon kept running (same pid)" [ "$(ct_pid)" = "$pid" ]
check "the route is untouched" ct_route_is fast0
cp /run/good.conf /etc/meshroute/meshroute.conf

echo "== drain, restart, upgrade: still drained"
check "meshroutectl drain fast0" meshroutectl drain fast0
check "route to n2 moved to the LAN" wait_for 3 ct_route_is lan
check "/var/lib/meshroute/drained names fast0" grep -q '^fast0 ' /var/lib/meshroute/drained
pid=$(ct_pid)
check "systemctl restart" systemctl restart meshrouted
check "a new process" [ "$(ct_pid)" != "$pid" ]
check "fast0 drained after the restart" wait_for 5 drained
sleep 3	# hold-down (1 s) and more
check "route to n2 still on the LAN after the restart" ct_route_is lan
pid=$(ct_pid)
if DEBIAN_FRONTEND=noninteractive dpkg -i /mrtest/meshroute.deb >/run/dpkg2.log 2>&1; then
	pass "dpkg -i again (upgrade: prerm upgrade, postinst configure)"
else
	sed 's/^/    /' /run/dpkg2.log
	fail "dpkg -i again"
fi
check "the upgrade restarted the daemon" wait_for 10 sh -c '[ "$(systemctl show -p MainPID --value meshrouted)" != "'"$pid"'" ] && systemctl is-active meshrouted'
check "fast0 drained after the upgrade" wait_for 5 drained
sleep 3
check "route to n2 still on the LAN after the upgrade" ct_route_is lan
check "meshroutectl undrain fast0" meshroutectl undrain fast0
check "route back over fast0 after hold-down" wait_for 5 ct_route_is fast0
check "the state file no longer names fast0" sh -c '! grep -q "^fast0" /var/lib/meshroute/drained'

echo "== a moved control socket: reload still reaches it"
sed -i 's|^\[global\]$|&\ncontrol-socket = /run/meshroute/ctl.sock|' /etc/meshroute/meshroute.conf
check "systemctl restart" systemctl restart meshrouted
check "the socket moved" wait_for 5 test -S /run/meshroute/ctl.sock
check "systemctl reload with the moved socket" systemctl reload meshrouted
check "meshroutectl finds it without -s" meshroutectl status

echo "== purge"
check "dpkg -P meshroute" env DEBIAN_FRONTEND=noninteractive dpkg -P meshroute
check "the daemon is gone" sh -c '! pgrep -x meshrouted -P 1'
check "its routes are gone" ct_route_is lan
check "/var/lib/meshroute removed by purge" test ! -e /var/lib/meshroute
finish service
