#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Lints the manual pages in man/: groff with every warning enabled and, when
# installed, mandoc -Tlint must print nothing.  Also checks that the pages
# cover what the code has: every [global] key of src/config.c in
# meshroute.conf(5) and every option of src/meshrouted.c in meshrouted(8).
# Run from anywhere; needs groff-base (and mandoc, see scripts/install-deps.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

pages="man/meshrouted.8 man/meshroutectl.8 man/meshroute.conf.5"
for p in $pages; do
	[ -f "$p" ] || { fail "$p is missing"; continue; }

	# Title line must match the file name: .TH NAME SECTION
	base=$(basename "$p")
	want_name=$(echo "${base%.*}" | tr '[:lower:]' '[:upper:]')
	want_sec=${base##*.}
	if head -n 5 "$p" | grep -qE "^\.TH \"?$want_name\"? $want_sec "; then
		pass "$p: .TH $want_name $want_sec"
	else
		fail "$p: .TH line does not say $want_name $want_sec"
	fi

	out=$(LC_ALL=C.UTF-8 MANROFFSEQ='' groff -man -ww -z "$p" 2>&1)
	if [ -z "$out" ]; then
		pass "$p: groff -man -ww: no warnings"
	else
		printf '%s\n' "$out" | sed 's/^/    /'
		fail "$p: groff -man -ww warned"
	fi

	if command -v mandoc >/dev/null; then
		out=$(mandoc -Tlint "$p" 2>&1)
		if [ -z "$out" ]; then
			pass "$p: mandoc -Tlint: clean"
		else
			printf '%s\n' "$out" | sed 's/^/    /'
			fail "$p: mandoc -Tlint complained"
		fi
	else
		echo "SKIP: $p: mandoc not installed"
	fi

	# man(1) itself must render it (what users will run).
	if command -v man >/dev/null; then
		if out=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$p" 2>&1 >/dev/null) && [ -z "$out" ]; then
			pass "$p: man -l renders without messages"
		else
			printf '%s\n' "$out" | sed 's/^/    /'
			fail "$p: man -l failed or printed messages"
		fi
	fi
done

# Coverage: text of a page as rendered, hyphens plain.
render() { LC_ALL=C.UTF-8 MANROFFSEQ='' groff -man -Tutf8 -P-cbou "$1" 2>/dev/null | sed 's/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g'; }

conf_txt=$(render man/meshroute.conf.5)
keys=$(sed -n 's/^\t\[G_[A-Z_]*\] = "\([a-z-]*\)",$/\1/p' src/config.c)
[ -n "$keys" ] || fail "could not read the [global] keys from src/config.c"
for k in $keys address lan fast; do
	if printf '%s\n' "$conf_txt" | grep -qE "^ +$k = "; then
		pass "meshroute.conf(5) documents $k"
	else
		fail "meshroute.conf(5) does not document key $k"
	fi
done

d_txt=$(render man/meshrouted.8)
opts=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' src/meshrouted.c | tr -d ':' | fold -w1)
longs=$(sed -n 's/^\t\t{ "\([a-z-]*\)", .*/\1/p' src/meshrouted.c)
[ -n "$opts" ] || fail "could not read the options from src/meshrouted.c"
for o in $opts; do
	if printf '%s\n' "$d_txt" | grep -qE "^ +-$o( |,|$)"; then
		pass "meshrouted(8) documents -$o"
	else
		fail "meshrouted(8) does not document -$o"
	fi
done
for o in $longs; do
	if printf '%s\n' "$d_txt" | grep -qE "^ +(-[a-zA-Z], )?--$o"; then
		pass "meshrouted(8) documents --$o"
	else
		fail "meshrouted(8) does not document --$o"
	fi
done

ctl_txt=$(render man/meshroutectl.8)
cmds=$(sed -n 's/^\t{ "\([a-z0-9]*\)", "[^"]*", ".*/\1/p' src/meshroutectl.c)
[ -n "$cmds" ] || fail "could not read the commands from src/meshroutectl.c"
for c in $cmds; do
	if printf '%s\n' "$ctl_txt" | grep -qE "^ +$c( |$)"; then
		pass "meshroutectl(8) documents command $c"
	else
		fail "meshroutectl(8) does not document command $c"
	fi
done
copts=$(sed -n 's/.*getopt(argc, argv, "+\{0,1\}\([^"]*\)").*/\1/p' src/meshroutectl.c | tr -d ':' | fold -w1)
for o in $copts; do
	if printf '%s\n' "$ctl_txt" | grep -qE "^ +-$o( |,|$)"; then
		pass "meshroutectl(8) documents -$o"
	else
		fail "meshroutectl(8) does not document -$o"
	fi
done

if [ $fails -eq 0 ]; then
	echo "t_man: all passed"
	exit 0
fi
echo "t_man: $fails failed"
exit 1
