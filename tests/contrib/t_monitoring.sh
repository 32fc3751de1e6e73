#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The monitoring pieces in contrib/ against the daemon's metrics:
#   - contrib/meshroute-alerts.yml passes `promtool check rules`, and
#     tests/contrib/meshroute-alerts.test.yml (`promtool test rules`: each
#     rule fires where it should, once per cable, and not where it should not);
#   - contrib/meshroute-dashboard.json is a well-formed Grafana dashboard
#     (unique panel ids, a data source variable, every query with an
#     expression), and each query is valid PromQL (promtool checks it as a
#     recording rule, Grafana's variables replaced by sample values);
#   - every metric the rules and the dashboard query is one the daemon
#     produces (a name in src/status.c or src/meshfmt.c) and documents
#     (docs/control.md), and every mesh metric produced is documented.
set -u
# shellcheck source=tests/contrib/lib.sh
. "$(dirname "$0")/lib.sh"
contrib_start promtool prometheus mr-mon
run() { # run DESCRIPTION COMMAND...: passes when COMMAND exits 0, its output shown on failure
	d=$1; shift
	if "$@" >"$tmp/out" 2>&1; then pass "$d"; else cat "$tmp/out"; fail "$d"; fi
}

run "promtool check rules contrib/meshroute-alerts.yml" promtool check rules contrib/meshroute-alerts.yml
run "promtool test rules tests/contrib/meshroute-alerts.test.yml" \
	promtool test rules tests/contrib/meshroute-alerts.test.yml

# The dashboard: structure, and its queries as recording rules for promtool.
if python3 - contrib/meshroute-dashboard.json "$tmp/dashboard-rules.yml" "$tmp/dashboard-exprs" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
errs = []
names = [v.get("name") for v in d.get("templating", {}).get("list", [])]
if "datasource" not in names:
    errs.append("no data source variable")
ids, exprs = set(), []
for p in d.get("panels", []):
    if p.get("id") in ids:
        errs.append("panel id %s twice" % p.get("id"))
    ids.add(p.get("id"))
    g = p.get("gridPos", {})
    if not all(k in g for k in ("x", "y", "w", "h")):
        errs.append("panel %r: no gridPos" % p.get("title"))
    if p.get("type") == "row":
        continue
    if p.get("datasource", {}).get("uid") != "${datasource}":
        errs.append("panel %r: data source is not ${datasource}" % p.get("title"))
    if not p.get("targets"):
        errs.append("panel %r: no query" % p.get("title"))
    for t in p.get("targets", []):
        if not t.get("expr") or not t.get("refId"):
            errs.append("panel %r: a query without expr or refId" % p.get("title"))
        else:
            exprs.append(t["expr"])
with open(sys.argv[2], "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        e = e.replace("$__rate_interval", "5m").replace("$__interval", "1m")
        e = re.sub(r"\$\{?instance\}?", ".*", e)
        if "$" in e:
            errs.append("unknown variable in %r" % e)
        f.write("      - record: dashboard:query_%d\n        expr: %s\n" % (i, json.dumps(e)))
open(sys.argv[3], "w").write("\n".join(exprs) + "\n")
for e in errs:
    print(e)
print("%d panels, %d queries" % (len(ids), len(exprs)))
sys.exit(1 if errs else 0)
PY
then
	pass "contrib/meshroute-dashboard.json: well-formed"
else
	fail "contrib/meshroute-dashboard.json: see above"
fi
run "dashboard queries are valid PromQL" promtool check rules "$tmp/dashboard-rules.yml"

# Metric names: queried by rules and dashboard; produced; documented.
# (Comments of the rules file name families as meshroute_link_*: not queries.)
sed 's/#.*//' contrib/meshroute-alerts.yml | cat - "$tmp/dashboard-exprs" |
	grep -o 'meshroute_[a-z_]*[a-z]' | sort -u >"$tmp/queried"
grep -ho '"meshroute_[a-z_]*[a-z]' src/status.c src/meshfmt.c | tr -d '"' | sort -u >"$tmp/produced"
grep -o '`meshroute_[a-z_]*[a-z]`' docs/control.md | tr -d '`' | sort -u >"$tmp/documented"
[ -s "$tmp/queried" ] && [ -s "$tmp/produced" ] || fail "no metric names found (moved?)"
missing=$(comm -23 "$tmp/queried" "$tmp/produced")
[ -z "$missing" ] && pass "$(wc -l <"$tmp/queried") metrics queried, all produced" ||
	fail "queried but not produced: $missing"
missing=$(comm -23 "$tmp/queried" "$tmp/documented")
[ -z "$missing" ] && pass "all queried metrics documented in docs/control.md" ||
	fail "queried but not in docs/control.md: $missing"
missing=$(grep -ho '"meshroute_[a-z_]*[a-z]' src/meshfmt.c | tr -d '"' | sort -u | comm -23 - "$tmp/documented")
[ -z "$missing" ] && pass "every mesh metric documented" || fail "produced but not documented: $missing"

echo "t_monitoring: $fails failed"
[ "$fails" = 0 ]
