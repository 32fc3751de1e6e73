#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `meshroutectl mesh --dot` draws: the DOT that test_mesh writes for each of
# its example meshes (healthy, lossy, mis-cabled, moved, a silent node)
# renders with Graphviz `dot`, with one edge per cable line and every node;
# and docs/mesh-example.svg (README's picture) is a rendering of the current
# example: the same nodes and edges.
set -u
# shellcheck source=tests/contrib/lib.sh
. "$(dirname "$0")/lib.sh"
contrib_start dot graphviz mr-dot

make --no-print-directory -s build/test_mesh || { echo "FAIL build/test_mesh does not build"; exit 1; }
MESH_DOT_DIR=$tmp ./build/test_mesh >"$tmp/unit.log" 2>&1 || { cat "$tmp/unit.log"; echo "FAIL test_mesh"; exit 1; }

# Nodes, edges and labels of an SVG, sorted (dot writes n1&#45;&#45;n2).
titles() {
	sed -n 's/^<title>\(.*\)<\/title>$/\1/p; s/^<text[^>]*>\(.*\)<\/text>$/\1/p' "$1" |
		sed 's/&#45;/-/g' | sort
}

n=0
for f in "$tmp"/*.dot; do
	name=$(basename "$f" .dot)
	n=$((n + 1))
	if ! dot -Tsvg "$f" -o "$tmp/$name.svg" 2>"$tmp/$name.err" || [ -s "$tmp/$name.err" ]; then
		fail "$name: dot says: $(cat "$tmp/$name.err")"
		continue
	fi
	edges=$(grep -c ' -- ' "$f")
	drawn=$(grep -c '<g id="edge' "$tmp/$name.svg")
	nodes=$(grep -c '^	"[^"]*"\( \[.*\]\)\{0,1\};$' "$f")
	drawn_nodes=$(grep -c '<g id="node' "$tmp/$name.svg")
	if [ "$edges" -gt 0 ] && [ "$edges" = "$drawn" ] && [ "$nodes" = 3 ] && [ "$drawn_nodes" = 3 ]; then
		pass "$name: $edges edges and $nodes nodes drawn"
	else
		fail "$name: $edges edges / $nodes nodes in DOT, $drawn / $drawn_nodes drawn"
	fi
done
[ "$n" -ge 5 ] && pass "$n example meshes" || fail "only $n example meshes written"

# The picture in README: rendered from the current example.
if [ -f docs/mesh-example.svg ] && [ -f "$tmp/example.svg" ] &&
   [ "$(titles docs/mesh-example.svg)" = "$(titles "$tmp/example.svg")" ]; then
	pass "docs/mesh-example.svg shows the current example"
else
	fail "docs/mesh-example.svg is not the example's rendering: MESH_DOT_DIR=/tmp ./build/test_mesh; dot -Tsvg /tmp/example.dot > docs/mesh-example.svg"
fi
grep -q 'docs/mesh-example.svg' README.md && pass "README shows it" || fail "README does not reference docs/mesh-example.svg"

echo "t_mesh_dot: $fails failed"
[ "$fails" = 0 ]
