# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers of the lab tests that drive meshroutectl (t_drain, t_reload,
# t_ctl), sourced after lib.sh.  "status -j" is read with awk, not python:
# on a loaded 2-core box a python start costs a second or two, and these
# are polled.  They rely on what docs/control.md promises of status -j: one
# line, flat session objects, names without commas or quotes.
#
#   ctl NODE ARGS...          meshroutectl on NODE's control socket
#   lab_sessions NODE         one line per session: peer port family state
#                             remote_state tx_interval_ms detect_time_ms flaps
#                             local_discr
#   lab_sess_field NODE PORT KEY [PEER]   one key of NODE's IPv4 session on
#                             PORT (to PEER, else the one that is not Down
#                             if any)
#   lab_peer_via NODE PEER    "fast" or "lan" for NODE's IPv4 route to PEER
#   streams_start A B         two streams at once, A -> B (port 5201) and
#                             B -> A (5202), running until stopped;
#                             streams_stop_lossless WHAT stops both and
#                             asserts that each receiver got every packet its
#                             sender says it sent

CTL=${MESHROUTECTL:-$LAB_REPO/build/meshroutectl}
[ -x "$CTL" ] || lab_fail "$CTL missing: run make"

ctl() { local n=$1; shift; "$CTL" -s "$LAB_DIR/$n.sock" "$@"; }

# lab_json_objects ARRAY_KEY [KEYS...]: from a status -j line on stdin, the
# objects of that array, one per line, values of KEYS space-separated.
lab_json_objects() {
	local key=$1
	shift
	awk -v key="$key" -v keys="$*" '{
		i = index($0, "\"" key "\":[")
		if (!i) exit 1
		rest = substr($0, i + length(key) + 4)
		gsub(/"path":\[[^]]*\]/, "\"path\":-", rest)	# the only nested array
		rest = substr(rest, 1, index(rest, "]") - 1)
		if (rest == "") exit 0
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
			line = ""
			for (x = 1; x <= nk; x++)
				line = line (x > 1 ? " " : "") f[want[x]]
			print line
		}
	}'
}

lab_sessions() {	# NODE
	ctl "$1" -j status | lab_json_objects sessions peer port family state remote_state \
		tx_interval_ms detect_time_ms flaps local_discr
}

lab_sess_field() {	# NODE PORT KEY [PEER]
	ctl "$1" -j status | lab_json_objects sessions peer port family state "$3" |
		awk -v port="$2" -v peer="${4:-}" '
		$2 == port && $3 == "ipv4" && (peer == "" || $1 == peer) {
			if ($4 != "Down" || peer != "") { print $5; found = 1; exit }
			if (first == "") first = $5
		}
		END { if (!found && first != "") print first }'
}

lab_peer_via() {	# NODE PEER
	ctl "$1" -j status | lab_json_objects peers name family via |
		awk -v peer="$2" '$1 == peer && $2 == "ipv4" { print $3 }'
}

# Two streams at once: lib.sh keeps one in LAB_STREAM_*; these save and restore it.
streams_start() {	# A B
	STREAMS_A=$1 STREAMS_B=$2
	lab_stream_start "$1" "$2" - 5201
	STREAM_AB=("$LAB_STREAM_RPID" "$LAB_STREAM_SPID" "$LAB_STREAM_OUT")
	lab_stream_start "$2" "$1" - 5202
	STREAM_BA=("$LAB_STREAM_RPID" "$LAB_STREAM_SPID" "$LAB_STREAM_OUT")
}

stream_stop() {	# RPID SPID OUT: stops it, its report in LAB_STREAM_RESULT
	LAB_STREAM_RPID=$1 LAB_STREAM_SPID=$2 LAB_STREAM_OUT=$3
	lab_stream_stop
}

# Both streams ran until now (lab_stream_stop fails if one had ended), so
# they spanned everything done since streams_start; the sender's own count
# is what the receiver must have got.
streams_stop_lossless() {	# WHAT
	local a=$STREAMS_A b=$STREAMS_B
	stream_stop "${STREAM_AB[@]}"
	lab_log "      $a -> $b: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"
	lab_stream_lossless "$a -> $b across $1"
	stream_stop "${STREAM_BA[@]}"
	lab_log "      $b -> $a: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"
	lab_stream_lossless "$b -> $a across $1"
}
