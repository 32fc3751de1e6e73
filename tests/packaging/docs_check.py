#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Holds the docs to the code (run by t_docs.sh).

Extracted from the code, then looked up in the docs:
  config keys   src/config.c (gkey_names[], the node keys)  -> meshroute.conf(5), the example config
  defaults      config_defaults() + config_write() (DEFAULTS file, from t_docs.sh's helper)
                                                   -> meshroute.conf(5) ("default X" in the key's entry),
                                                      the example (a comment that says "default" names it)
  limits        MR_MAX_FAST, MR_MAX_NODES (src/config.h) -> the example, meshroute.conf(5)
  commands      src/meshroutectl.c commands[], src/command.c commands[]
                                                   -> meshroutectl(8), docs/control.md, bash completion
  JSON keys     src/status.c (field tables, literal "key": strings) -> docs/control.md
  metrics       src/status.c, src/meshfmt.c "meshroute_*" -> docs/control.md, and back (no stale names)
  alert events  ".event = ..." in src/*.c            -> meshrouted(8), meshroute.conf(5), contrib/README.md

Prints one line per finding, "docs: N findings" at the end; exit 1 if any.
"""
import glob
import os
import re
import sys

ROOT = sys.argv[1]
DEFAULTS = sys.argv[2]
findings = []


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def finding(msg):
    findings.append(msg)
    print("FAIL: " + msg)


def man_text(path):
    """A man page as plain text: escapes and font macros gone, one line per source line."""
    out = []
    for line in read(path).splitlines():
        if line.startswith('.\\"'):
            continue
        line = re.sub(r'^\.(B|I|BI|IB|BR|RB|IR|RI|TP|TQ|PP|IP|SS|SH|EX|EE|OP|SY|YS)\b ?', '', line)
        line = line.replace('\\-', '-').replace('\\(mu', 'x').replace('\\~', ' ').replace('\\&', '')
        line = re.sub(r'\\f[BIRP]', '', line).replace('"', '')
        out.append(line)
    return "\n".join(out)


# ---- extracted from the code ----

config_c = read("src/config.c")
gkeys = re.findall(r'\[G_[A-Z_]+\]\s*=\s*"([a-z-]+)"', config_c)
nkeys = sorted(set(re.findall(r'strcmp\(key, "([a-z-]+)"\)', config_c)))
if not gkeys or not nkeys:
    finding("src/config.c: no keys found (gkey_names[] or the node keys moved?): update docs_check.py")

defaults = {}
for line in open(DEFAULTS, encoding="utf-8"):
    m = re.match(r'^([a-z-]+) = (.*)$', line.rstrip("\n"))
    if m:
        defaults[m.group(1)] = m.group(2)
if not defaults:
    finding("no defaults from config_write()")

config_h = read("src/config.h")
max_fast = int(re.search(r'#define MR_MAX_FAST (\d+)', config_h).group(1))
max_nodes = int(re.search(r'#define MR_MAX_NODES (\d+)', config_h).group(1))

ctl_c = read("src/meshroutectl.c")
ctl_table = ctl_c[ctl_c.index("static const struct command commands[]"):]
ctl_table = ctl_table[:ctl_table.index("};")]
ctl_cmds = re.findall(r'\{\s*"([a-z0-9]+)",', ctl_table)
cmd_c = read("src/command.c")
d_table = cmd_c[cmd_c.index("static const struct command commands[]"):]
d_table = d_table[:d_table.index("};")]
daemon_cmds = re.findall(r'\{\s*"([a-z0-9]+)",', d_table)
if not ctl_cmds or not daemon_cmds:
    finding("no command tables found in src/meshroutectl.c or src/command.c: update docs_check.py")

status_c = read("src/status.c")
json_keys = set(re.findall(r'\{\s*"([a-z_]+)",\s*(?:"[^"]*"|NULL),\s*[a-z_]+\s*\}', status_c))
json_keys |= set(re.findall(r'\\"([a-z_]+)\\":', status_c))
metrics = set(re.findall(r'"(meshroute_[a-z_]+)"', status_c))
# The mesh view's families (meshroute_link_*, meshroute_mesh_*) are rendered by meshfmt.c.
metrics |= set(re.findall(r'"(meshroute_[a-z_]+)"', read("src/meshfmt.c")))

events = set()
for path in glob.glob(os.path.join(ROOT, "src", "*.c")):
    for line in open(path, encoding="utf-8"):
        if ".event = " in line:
            events |= set(re.findall(r'"([a-z]+-[a-z]+)"', line))
if not events:
    finding("no alert events found in src/*.c (.event = ...): update docs_check.py")

# ---- the docs ----

conf5 = man_text("man/meshroute.conf.5")
ctl8 = man_text("man/meshroutectl.8")
d8 = man_text("man/meshrouted.8")
control = read("docs/control.md")
example = read("etc/meshroute.conf.example")
contrib = read("contrib/README.md")
completion = read("etc/completion/meshroutectl.bash")


def conf5_entry(key):
    """The text of meshroute.conf(5)'s entry for key: from its 'key = ' line to the next entry."""
    lines = read("man/meshroute.conf.5").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".TP") and i + 1 < len(lines):
            head = lines[i + 1].replace("\\-", "-")
            if re.match(r'^\.BI? "?' + re.escape(key) + r' = ', head):
                body = []
                for nxt in lines[i + 1:]:
                    if nxt.startswith((".TP", ".SH")) and body:
                        break
                    body.append(nxt)
                return man_text_from(body)
    return None


def man_text_from(lines):
    tmp = []
    for line in lines:
        line = re.sub(r'^\.(B|I|BI|IB|BR|RB|IR|RI|TP|PP|IP)\b ?', '', line)
        line = line.replace('\\-', '-').replace('\\~', ' ').replace('\\&', '')
        tmp.append(re.sub(r'\\f[BIRP]', '', line).replace('"', ''))
    return " ".join(tmp)


def value_forms(v):
    """How a default may be written: 2.0% is also 2%."""
    forms = {v}
    m = re.match(r'^(\d+)\.0%$', v)
    if m:
        forms.add(m.group(1) + "%")
    return forms


def says_default(text, value):
    """text states value as the default ("default 20ms", "Default yes", "(default 2%)", "defaults to no")."""
    for form in value_forms(value):
        if re.search(r'[Dd]efaults?\s+(?:to\s+|is\s+)?' + re.escape(form) + r'(?![\w.%])', text):
            return True
    return False


# config keys in meshroute.conf(5) and the example
for key in gkeys + nkeys:
    if not re.search(r'(?m)^' + re.escape(key) + r' = ', conf5):
        finding(f"config key '{key}' (src/config.c) has no entry in meshroute.conf(5)")
    if not re.search(r'(?m)^#?' + re.escape(key) + r' = ', example):
        finding(f"config key '{key}' (src/config.c) is not in etc/meshroute.conf.example")

# defaults
for key, value in defaults.items():
    entry = conf5_entry(key)
    if entry is None:
        continue  # reported above
    if not says_default(entry, value):
        finding(f"meshroute.conf(5): the entry of '{key}' does not say its default '{value}' (config_defaults())")
    # The example: a comment above the key that speaks of a default must name this one.
    lines = example.splitlines()
    for i, line in enumerate(lines):
        if re.match(r'^#?' + re.escape(key) + r' = ', line):
            block = []
            j = i - 1
            while j >= 0 and lines[j].startswith("#") and not re.match(r'^#[a-z-]+ = ', lines[j]):
                block.insert(0, lines[j])
                j -= 1
            text = " ".join(block)
            if re.search(r'default', text, re.I) and not any(
                    re.search(r'(?<![\w.])' + re.escape(f) + r'(?![\w%])', text) for f in value_forms(value)):
                finding(f"etc/meshroute.conf.example: the comment above '{key}' speaks of a default but not of '{value}'")
            break

# limits
for m in re.finditer(r'(\d+)\.\.(\d+)[^\n]*fast ports', example):
    if int(m.group(2)) != max_fast:
        finding(f"etc/meshroute.conf.example says {m.group(0)!r}; a node has at most {max_fast} fast ports (MR_MAX_FAST)")
for m in re.finditer(r'(\d+)\.\.(\d+) of them', example):
    if int(m.group(2)) != max_nodes:
        finding(f"etc/meshroute.conf.example says {m.group(0)!r}; a config holds at most {max_nodes} nodes (MR_MAX_NODES)")
fast_entry = conf5_entry("fast") or ""
if str(max_fast) not in fast_entry:
    finding(f"meshroute.conf(5): the entry of 'fast' does not give the maximum, {max_fast} (MR_MAX_FAST)")

# commands
for c in ctl_cmds:
    if not re.search(r'(?m)^' + re.escape(c) + r'\b', ctl8):
        finding(f"meshroutectl command '{c}' (src/meshroutectl.c) is not under COMMANDS in meshroutectl(8)")
    if not re.search(r'`' + re.escape(c) + r'(?![\w-])', control):
        finding(f"meshroutectl command '{c}' (src/meshroutectl.c) is not in docs/control.md")
    if not re.search(r'commands="[^"]*\b' + re.escape(c) + r'\b', completion):
        finding(f"meshroutectl command '{c}' (src/meshroutectl.c) is not completed by etc/completion/meshroutectl.bash")
for c in daemon_cmds:
    if not re.search(r'`' + re.escape(c) + r'(?![\w-])', control):
        finding(f"control socket command '{c}' (src/command.c) is not in docs/control.md")

# JSON keys
doc_ids = set()
for tick in re.findall(r'`([^`]+)`', control):
    doc_ids |= set(re.findall(r'[a-z_]+', tick))
for k in sorted(json_keys):
    if k not in doc_ids:
        finding(f"status -j key '{k}' (src/status.c) is not in docs/control.md")

# metrics, both ways
# ("meshroute_link_*" in prose names a family, not a metric.)
doc_metrics = set(m for m in re.findall(r'meshroute_[a-z_]+', control) if not m.endswith("_"))
for m in sorted(metrics - doc_metrics):
    finding(f"metric '{m}' (src/status.c) is not in docs/control.md")
for m in sorted(doc_metrics - metrics):
    finding(f"docs/control.md names metric '{m}', which src/status.c does not have")

# alert events
for e in sorted(events):
    for name, text in (("meshrouted(8)", d8), ("meshroute.conf(5)", conf5), ("contrib/README.md", contrib)):
        if not re.search(r'(?<![\w-])' + re.escape(e) + r'(?![\w-])', text):
            finding(f"alert event '{e}' (src/*.c) is not in {name}")

print(f"docs: {len(gkeys) + len(nkeys)} config keys, {len(defaults)} defaults, {len(ctl_cmds)}+{len(daemon_cmds)} "
      f"commands, {len(json_keys)} JSON keys, {len(metrics)} metrics, {len(events)} alert events checked; "
      f"{len(findings)} findings")
sys.exit(1 if findings else 0)
