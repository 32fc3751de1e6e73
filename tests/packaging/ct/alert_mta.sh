#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs INSIDE the test container (see tests/contrib/t_alert_mta.sh), as root
# under systemd, with postfix as Proxmox VE has it (local only, loopback):
# contrib/meshroute-alert-mail as the installed unit's alert command.
#  1. through sendmail (postfix's setgid postdrop) the unit's sandbox stops
#     the mail: measured, reported;
#  2. a drop-in that opens postdrop's spool and sets NoNewPrivileges=no:
#     measured, reported (the other sandbox settings imply it anyway);
#  3. with /etc/meshroute/msmtprc (msmtp to postfix on 127.0.0.1:25) the
#     alert reaches root's mailbox under the stock unit.
set -u
. /mrtest/common.sh

alert=/usr/local/libexec/meshroute/meshroute-alert-mail
mailbox=/var/mail/root
mails() { local n; n=$(grep -c '^Subject: \[meshroute\]' "$mailbox" 2>/dev/null); echo "${n:-0}"; }
# A command that failed, or hung and was killed (postdrop retries every 10 s).
cmd_failures() {
	journalctl -u meshrouted --no-pager -o cat |
		grep -cE 'alert: command (exited with status|still running after)' || true
}

ct_net
ct_config
echo root >/etc/meshroute/alert-mail.to
if ! DEBIAN_FRONTEND=noninteractive dpkg -i /mrtest/meshroute.deb >/run/dpkg.log 2>&1; then
	sed 's/^/    /' /run/dpkg.log
	fail "dpkg -i"
	finish alert_mta
fi
# As contrib/README.md says: the example script installed where the unit may run it.
ex=/usr/share/doc/meshroute/examples/meshroute-alert-mail
mkdir -p "$(dirname "$alert")"
if [ -e "$ex.gz" ]; then gunzip -c "$ex.gz" >"$alert"; else cp "$ex" "$alert"; fi
chmod 0755 "$alert"
sed -i "s|^\[global\]$|&\nalert-command = $alert|" /etc/meshroute/meshroute.conf
check "postfix runs (Proxmox VE's MTA)" wait_for 20 systemctl is-active postfix@-
check "postfix listens on 127.0.0.1:25 only" wait_for 10 sh -c 'ss -Hltn "sport = :25" | grep -q "127.0.0.1:25"'
check "meshrouted is active" wait_for 10 systemctl is-active meshrouted
check "systemctl reload: alert-command set" systemctl reload meshrouted
ct_peer_start
check "route to n2 over fast0" wait_for 15 ct_route_is fast0

echo "== 1. sendmail (postfix's postdrop) under the unit's sandbox"
before=$(cmd_failures)
check "drain fast0: a path-change alert" meshroutectl drain fast0
check "the alert ran and failed" wait_for 20 sh -c "[ \$(journalctl -u meshrouted --no-pager -o cat | grep -cE 'alert: command (exited with status|still running after)') -gt $before ]"
postqueue -f 2>/dev/null
sleep 3
echo "    measured: $(journalctl -u meshrouted --no-pager -o cat | grep -E 'alert: command' | tail -n1)"
echo "    measured: $(journalctl --no-pager -o cat -t meshroute-alert-mail | tail -n1)"
echo "    measured: $(journalctl --no-pager -o cat -t postfix/postdrop | tail -n1)"
if [ "$(mails)" = 0 ]; then
	pass "no mail reached root through sendmail"
else
	fail "no mail reached root through sendmail"
	grep -E '^(Subject|Date):' "$mailbox" | sed 's/^/    /'
	journalctl --no-pager -o short-precise | grep -E 'postfix/(pickup|local)|postdrop|alert' | sed 's/^/    /'
fi

echo "== 2. measured: a drop-in giving postdrop its spool (ReadWritePaths) and NoNewPrivileges=no"
mkdir -p /etc/systemd/system/meshrouted.service.d
cat >/etc/systemd/system/meshrouted.service.d/postdrop.conf <<'DROPIN'
[Service]
ReadWritePaths=/var/spool/postfix/maildrop /var/spool/postfix/public
NoNewPrivileges=no
DROPIN
systemctl daemon-reload
# Restarted, fast0 still drained: undrain (a first bring-up, no alert), then drain (an alert).
check "restart with the drop-in" systemctl restart meshrouted
wait_for 5 meshroutectl status
check "undrain fast0" meshroutectl undrain fast0
check "route back over fast0" wait_for 5 ct_route_is fast0
before=$(cmd_failures) had=$(mails)
check "drain fast0: a path-change alert" meshroutectl drain fast0
wait_for 15 sh -c "[ \$(journalctl -u meshrouted --no-pager -o cat | grep -cE 'alert: command (exited with status|still running after)') -gt $before ] || [ \$(grep -c '^Subject: \[meshroute\]' $mailbox 2>/dev/null) -gt $had ]"
postqueue -f 2>/dev/null
sleep 3
echo "    measured: NoNewPrivs of the daemon with the drop-in: $(grep NoNewPrivs /proc/$(ct_pid)/status | awk '{ print $2 }')"
echo "    measured: mails in root's mailbox: $(( $(mails) - had )), command failures: $(( $(cmd_failures) - before ))"
echo "    measured: $(journalctl --no-pager -o cat -t postfix/postdrop | tail -n1)"
rm -r /etc/systemd/system/meshrouted.service.d
systemctl daemon-reload

echo "== 3. msmtp to postfix on 127.0.0.1:25, the stock unit"
cat >/etc/meshroute/msmtprc <<'RC'
account default
host 127.0.0.1
port 25
from meshroute@ct.example
syslog LOG_MAIL
RC
check "restart without the drop-in" systemctl restart meshrouted
wait_for 5 meshroutectl status
check "undrain fast0" meshroutectl undrain fast0
check "route back over fast0" wait_for 5 ct_route_is fast0
subject='^Subject: \[meshroute\] n1: n2 path fast0 -> LAN'
before=$(cmd_failures) had=$(grep -c "$subject" "$mailbox" 2>/dev/null || true)
check "drain fast0: a path-change alert" meshroutectl drain fast0
check "the alert reached root's mailbox" wait_for 20 sh -c "[ \$(grep -c '$subject' $mailbox) -gt ${had:-0} ]"
check "the command exited 0" [ "$(cmd_failures)" = "$before" ]
check "the mail carries the event" grep -q '^event: *path-change' "$mailbox"
check "the mail is marked auto-generated" grep -q '^Auto-Submitted: auto-generated' "$mailbox"
echo "    delivered: $(grep '^Subject: \[meshroute\]' "$mailbox" | tail -n1)"
finish alert_mta
