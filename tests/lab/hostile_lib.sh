# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers of the hostile-conditions lab tests (t_flood, t_misbehave,
# t_crash), sourced after lib.sh.  Status JSON is read with grep/awk, not
# python: on a loaded 2-core box a python start costs a second or two.  They
# rely on what docs/control.md promises of "status -j": one line, flat
# session objects, names without commas or quotes.
#
#   hl_ctl NODE ARGS...          meshroutectl on NODE's control socket
#   hl_json NODE                 NODE's "status -j" into HL_JSON (fails if
#                                the daemon does not answer)
#   hl_counter OBJECT KEY        from HL_JSON: "drops" / "decode_errors" KEY
#   hl_sess_keys KEY...          from HL_JSON: one line per session, the
#                                values of KEY..., tab-separated
#   hl_sessions                  hl_sess_keys peer port family state flaps
#                                local_discr
#   hl_flaps NODE                sum of NODE's sessions' flaps
#   hl_up_count NODE             how many of NODE's sessions are Up
#   hl_discr NODE PEER PORT      NODE's local discriminator of that IPv4 session
#   hl_discrs NODE               every local discriminator of NODE, comma-separated
#   hl_sess_field NODE PEER PORT KEY
#                                from HL_JSON (NODE's, taken by hl_json): KEY of
#                                the IPv4 session to PEER via PORT, quotes
#                                removed ("null" if it has no value)
#   hl_status_ms NODE            time of one "meshroutectl status", ms; fails
#                                on no answer within 5 s or an empty one.  It
#                                includes starting meshroutectl (fork, exec,
#                                loading): on a saturated host mostly that, so
#                                it is a figure to print, not to assert on
#   hl_cpu_ticks PID             utime + stime of PID, clock ticks
#   hl_wakeups PID               voluntary context switches of PID's threads so
#                                far: its wake-ups (it slept before each)
#   hl_preempted PID             involuntary ones: times it was taken off a CPU
#   hl_mono_us                   lab_mono in us (10 ms steps): for durations a
#                                wall-clock step must not corrupt
#   hl_downs NODE                "-> Down" lines in NODE's log so far
#   hl_routes NODE               NODE's IPv4 and IPv6 routes, all tables, sorted
#   hl_route_events NODE         lines of NODE's "ip monitor route" log so far

MESHROUTECTL=${MESHROUTECTL:-$LAB_REPO/build/meshroutectl}
[ -x "$MESHROUTECTL" ] || lab_fail "$MESHROUTECTL missing: run make"
HL_CLK_TCK=$(getconf CLK_TCK)

hl_ctl() { local n=$1; shift; "$MESHROUTECTL" -s "$LAB_DIR/$n.sock" "$@"; }

hl_json() {
	HL_JSON=$(hl_ctl "$1" -j status) || lab_fail "meshroutectl -j status on $1 failed"
	[ -n "$HL_JSON" ] || lab_fail "meshroutectl -j status on $1: empty answer"
}

hl_counter() {	# OBJECT KEY
	local obj
	obj=$(printf '%s\n' "$HL_JSON" | grep -o "\"$1\":{[^}]*}")
	printf '%s\n' "$obj" | grep -o "\"$2\":[0-9]*" | head -n1 | cut -d: -f2
}

hl_sess_keys() {	# KEY...: one line per session in HL_JSON, those keys' values, tab-separated
	printf '%s\n' "$HL_JSON" | awk -v keys="$*" '{
		i = index($0, "\"sessions\":[")
		if (!i) exit 1
		rest = substr($0, i + 12)
		rest = substr(rest, 1, index(rest, "]") - 1)
		n = split(rest, objs, /\},\{/)
		nk = split(keys, want, " ")
		for (k = 1; k <= n; k++) {
			o = objs[k]
			gsub(/[{}"]/, "", o)
			m = split(o, kv, ",")
			delete f
			for (x = 1; x <= m; x++) {
				p = index(kv[x], ":")
				f[substr(kv[x], 1, p - 1)] = substr(kv[x], p + 1)
			}
			line = f[want[1]]
			for (x = 2; x <= nk; x++)
				line = line "\t" f[want[x]]
			print line
		}
	}'
}

hl_sessions() { hl_sess_keys peer port family state flaps local_discr; }

hl_flaps() { hl_json "$1"; hl_sessions | awk '{ s += $5 } END { print s + 0 }'; }
hl_up_count() { hl_json "$1"; hl_sessions | awk '$4 == "Up" { n++ } END { print n + 0 }'; }

hl_discr() {	# NODE PEER PORT
	hl_json "$1"
	hl_sessions | awk -v peer="$2" -v port="$3" '$1 == peer && $2 == port && $3 == "ipv4" { print $6; exit }'
}

hl_discrs() { hl_json "$1"; hl_sessions | awk '{ print $6 }' | paste -sd, -; }

hl_sess_field() {	# NODE PEER PORT KEY (NODE: whose HL_JSON it is, for messages)
	local v
	v=$(hl_sess_keys peer port family "$4" |
		awk -F '\t' -v peer="$2" -v port="$3" '$1 == peer && $2 == port && $3 == "ipv4" { print $4; exit }')
	[ -n "$v" ] || lab_fail "status -j of $1: no $4 of its IPv4 session to $2 via $3"
	echo "$v"
}

hl_status_ms() {
	local t0 t1 out
	t0=$(now_us)
	out=$(timeout 5 "$MESHROUTECTL" -s "$LAB_DIR/$1.sock" status) || return 1
	t1=$(now_us)
	[ -n "$out" ] || return 1
	echo $(( (t1 - t0) / 1000 ))
}

hl_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

hl_wakeups() {
	cat "/proc/$1/task/"*/status | awk '/^voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

hl_preempted() {
	cat "/proc/$1/task/"*/status | awk '/^nonvoluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

hl_mono_us() { lab_mono; echo $(( LAB_MONO_MS * 1000 )); }

hl_downs() { grep -c -- '-> Down' "$LAB_DIR/$1.log" || true; }

hl_routes() {
	{
		ip -n "$(lab_ns "$1")" -4 route show table all
		ip -n "$(lab_ns "$1")" -6 route show table all
	} | sort
}

hl_route_events() { wc -l <"$LAB_DIR/$1.routes"; }
