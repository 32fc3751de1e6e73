#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The three measurable rules of the layout (docs/DESIGN.md, "Modules"):
#  1. src/daemon.c has at most MAX_DAEMON_LINES lines;
#  2. no function in src/ is longer than MAX_FUNC_LINES lines, counted from
#     the first line of its signature to its closing brace, both included
#     (functions are written with both braces at column 0, as everywhere in
#     src/);
#  3. the module graph has no cycle: X -> Y when src/X.c or src/X.h
#     includes "Y.h" (Y a header of src/).
# Breaches not yet mended are listed in scripts/archcheck.known (one per
# line: "daemon.c LINES", "func FILE NAME LINES", "cycle A -> B -> A"):
# those are reported as known, and fail only if they grow (more lines).
# Anything else fails.  So the rules that hold stay true, and the list
# can only shrink: delete a line once its breach is mended.
# Exit 1 on a failure.  ARCHCHECK_REPORT=1 also prints the figures
# (daemon.c lines, the longest functions).
# Usage: scripts/archcheck.sh [SRCDIR [KNOWNFILE]]
set -u
src=${1:-src}
known=${2:-$(dirname "$0")/archcheck.known}
[ -f "$known" ] || known=/dev/null
MAX_DAEMON_LINES=1000
MAX_FUNC_LINES=80
bad=0

# A breach: known (with a ceiling of at least its size) or new.
# breach KEY SIZE MESSAGE
breach() {
	ceiling=$(awk -v k="$1" '$0 == k { print 0; exit }
		substr($0, 1, length(k) + 1) == k " " { print $NF; exit }' "$known")
	if [ -n "$ceiling" ] && [ "$2" -le "$ceiling" ]; then
		echo "archcheck: known: $3"
	else
		echo "archcheck: FAIL: $3${ceiling:+ (known at $ceiling, grew)}"
		bad=1
	fi
}

lines=$(wc -l < "$src/daemon.c")
[ "$lines" -gt "$MAX_DAEMON_LINES" ] &&
	breach "daemon.c" "$lines" "$src/daemon.c: $lines lines (at most $MAX_DAEMON_LINES)"

# "file:line: name: N lines" for every function; the name is the word
# before the first "(" of the signature (the lines since the last blank,
# comment or closing brace).
funcs=$(awk '
	FNR == 1 { sig = ""; start = 0 }
	/^[{]$/ { start = sig != "" ? sigline : FNR; name = sig; sub(/\(.*/, "", name); n = split(name, w, /[ *]+/); name = w[n]; next }
	/^[}]$/ && start { printf "%s:%d: %s: %d lines\n", FILENAME, start, name, FNR - start + 1; start = 0; sig = ""; next }
	start { next }
	/^$/ || /^[}]/ || /^\/\*/ || /^ \*/ || /^#/ { sig = ""; next }
	{ if (sig == "") sigline = FNR; sig = sig " " $0 }
' "$src"/*.c)
long=$(printf '%s\n' "$funcs" | awk -v max="$MAX_FUNC_LINES" '$(NF-1) > max')
nl='
'
oldifs=$IFS
IFS=$nl
for l in $long; do
	IFS=$oldifs
	file=${l%%:*}
	name=$(echo "$l" | awk -F': ' '{ print $2 }')
	size=$(echo "$l" | awk '{ print $(NF-1) }')
	breach "func $(basename "$file") $name" "$size" "over $MAX_FUNC_LINES lines: $l"
done
IFS=$oldifs

# Edges "X Y", then a depth-first search for a back edge.
edges=$(for f in "$src"/*.c "$src"/*.h; do
	x=$(basename "$f"); x=${x%.*}
	sed -n 's/^#include "\([^"]*\)\.h".*/\1/p' "$f" | while read -r y; do
		[ "$y" != "$x" ] && [ -f "$src/$y.h" ] && echo "$x $y"
	done
done | sort -u)
# Sorted input and a sorted walk, each cycle rotated to start at its
# smallest module: the same tree always names its cycles the same way.
cycles=$(printf '%s\n' "$edges" | awk '
	NF == 2 { adj[$1] = adj[$1] " " $2; if (!($1 in seen)) { seen[$1]; order[++nn] = $1 } }
	function dfs(v, path,    i, n, w, k) {
		color[v] = 1
		n = split(adj[v], w, " ")
		for (i = 1; i <= n; i++) {
			if (color[w[i]] == 1) {
				k = index(path " ", " " w[i] " ")
				print canon(substr(path, k + 1))
			} else if (!color[w[i]])
				dfs(w[i], path " " w[i])
		}
		color[v] = 2
	}
	function canon(p,    m, c, i, j, best, out) {
		m = split(p, c, " ")
		best = 1
		for (i = 2; i <= m; i++)
			if (c[i] < c[best])
				best = i
		out = c[best]
		for (j = 1; j < m; j++)
			out = out " " c[(best - 1 + j) % m + 1]
		return out " " c[best]
	}
	END { for (i = 1; i <= nn; i++) if (!color[order[i]]) dfs(order[i], " " order[i]) }
' | sort -u | sed 's/ / -> /g')
IFS=$nl
for c in $cycles; do
	IFS=$oldifs
	breach "cycle $c" 0 "include cycle: $c"
done
IFS=$oldifs

if [ "${ARCHCHECK_REPORT:-0}" = 1 ]; then
	echo "archcheck: $src/daemon.c: $lines lines"
	echo "archcheck: longest functions:"
	printf '%s\n' "$funcs" | sort -t: -k4 -n -r | awk -F': ' '{ print $NF, $2, $1 }' |
		sort -n -r | head -n "${ARCHCHECK_TOP:-10}" | sed 's/^/  /'
fi
[ $bad = 0 ] && echo "archcheck: ok (no new breach)"
exit $bad
