#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpora tests/fuzz/corpus/NAME/ from first principles.

Run it from anywhere after changing the wire format or the harnesses' input
layout; the files it writes are committed.  BFD packets follow RFC 5880 §4;
digests are computed here independently of src/auth.c (§6.7.3/§6.7.4: the
key, zero-padded, in the digest field, hashed over the whole packet).
"""
import hashlib
import os
import shutil
import struct
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")

ADMIN_DOWN, DOWN, INIT, UP = range(4)
NONE, SIMPLE, MD5, MET_MD5, SHA1, MET_SHA1 = range(6)
P, F, C, A, D, M = 0x20, 0x10, 0x08, 0x04, 0x02, 0x01


def packet(state, my=0x1001, your=0x2002, flags=0, diag=0, mult=3, tx=20000, rx=20000,
           echo=0, auth=b""):
    """One Control packet; `echo` is the harness's time step (fuzz_packet.c)."""
    if auth:
        flags |= A
    length = 24 + len(auth)
    hdr = struct.pack("!BBBBIIIII", 1 << 5 | diag, state << 6 | flags, mult, length,
                      my, your, tx, rx, echo)
    return hdr + auth


def auth_simple(key_id, password):
    return struct.pack("!BBB", SIMPLE, 3 + len(password), key_id) + password


def signed(state, atype, key_id, key, seq, **kw):
    """A packet with an MD5/SHA1 section whose digest is right for `key`."""
    dlen = 16 if atype in (MD5, MET_MD5) else 20
    section = struct.pack("!BBBBI", atype, 8 + dlen, key_id, 0, seq)
    pkt = bytearray(packet(state, auth=section + key.ljust(dlen, b"\0")[:dlen], **kw))
    h = hashlib.md5 if dlen == 16 else hashlib.sha1
    pkt[32:32 + dlen] = h(bytes(pkt)).digest()
    return bytes(pkt)


def write(name, fname, data):
    d = os.path.join(CORPUS, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


def packets():
    for st, nm in ((ADMIN_DOWN, "admindown"), (DOWN, "down"), (INIT, "init"), (UP, "up")):
        your = 0 if st in (ADMIN_DOWN, DOWN) else 0x2002
        write("packet", f"{nm}.bin", packet(st, your=your, diag=7 if st == ADMIN_DOWN else 0))
    write("packet", "up-poll.bin", packet(UP, flags=P))
    write("packet", "up-final.bin", packet(UP, flags=F))
    write("packet", "up-demand.bin", packet(UP, flags=D))
    write("packet", "padded.bin", packet(DOWN, your=0) + bytes(40))
    write("packet", "simple.bin", packet(UP, auth=auth_simple(1, b"s3cret")))
    for t, nm in ((MD5, "md5"), (MET_MD5, "met-md5"), (SHA1, "sha1"), (MET_SHA1, "met-sha1")):
        write("packet", f"{nm}.bin", signed(UP, t, 1, b"key", 7))
    # Bring-up then silence: Down, Init, Up, then a Poll for slower timers.
    write("packet", "train-bringup.bin",
          packet(DOWN, your=0) + packet(INIT, echo=15000) + packet(UP, echo=15000) +
          packet(UP, flags=P, tx=100000, rx=100000, echo=15000))
    # Local events through the reserved diags: new timers (Poll), Final, admin down/up.
    write("packet", "train-local.bin",
          packet(DOWN, your=0) + packet(UP, echo=1000) +
          packet(UP, diag=31, my=50000, your=50000, echo=20000) + packet(UP, flags=F, echo=5000) +
          packet(UP, diag=29, echo=5000) + packet(DOWN, your=0, diag=30, echo=5000) +
          packet(UP, diag=28, echo=5000))
    # Peer goes AdminDown, then asks for no packets (Required Min RX 0).
    write("packet", "train-peer-down.bin",
          packet(INIT) + packet(UP, echo=10000) + packet(ADMIN_DOWN, your=0, diag=7, echo=10000) +
          packet(DOWN, your=0, rx=0, echo=10000))


def auth():
    keys = {
        SIMPLE: b"1 s3cret\n",
        MD5: b"# roll-over: new key second\n1 key\n2 hex:00112233445566778899aabbccddeeff\n",
        MET_MD5: b"1 key\n",
        SHA1: b"3 sha1-key-of-20-byte\n1 key\n",
        MET_SHA1: b"  1 key  \n",
    }
    write("auth", "none.bin", bytes([NONE]) + b"1 staged-key\n\0" + packet(UP))
    write("auth", "simple.bin", bytes([SIMPLE]) + keys[SIMPLE] + b"\0" +
          packet(UP, auth=auth_simple(1, b"s3cret")))
    for t, nm in ((MD5, "md5"), (MET_MD5, "met-md5"), (SHA1, "sha1"), (MET_SHA1, "met-sha1")):
        write("auth", f"{nm}.bin", bytes([t]) + keys[t] + b"\0" + signed(UP, t, 1, b"key", 7))
    write("auth", "md5-second-key.bin", bytes([MD5]) + keys[MD5] + b"\0" +
          signed(UP, MD5, 2, bytes.fromhex("00112233445566778899aabbccddeeff"), 1 << 31))
    write("auth", "keys-only.bin", bytes([SHA1]) + b"0 a\n255 hex:ff\n7 x\n")


def advert(sender, seq, peers, lifetime=350, key=None, key_id=0, version=1):
    """A relay advertisement (src/advert.h, version 1); HMAC-SHA256 with `key`."""
    import hmac
    flags = 1 if key is not None else 0
    body = b"mrRA" + bytes([version, flags, len(peers), key_id if key is not None else 0])
    body += bytes(sender) + struct.pack("!II", seq, lifetime)
    for p in peers:
        body += bytes(p)
    if key is not None:
        body += hmac.new(key, body, hashlib.sha256).digest()
    return body


def adverts():
    a, b, c = (10, 10, 0, 1), (10, 10, 0, 2), (10, 10, 0, 3)
    write("advert", "plain.bin", b"\0" + advert(c, 7, [a, b]))
    write("advert", "plain-empty.bin", b"\0" + advert(c, 0xffffffff, []))
    write("advert", "plain-full.bin", b"\0" + advert(a, 1, [(10, 10, 1, i) for i in range(15)]))
    write("advert", "keyed.bin", b"\1" + b"3 Relay.Key-1\n\0" + advert(c, 9, [a], key=b"Relay.Key-1", key_id=3))
    write("advert", "keyed-second-key.bin", b"\1" + b"4 new\n3 Relay.Key-1\n\0" +
          advert(c, 9, [a, b], key=b"Relay.Key-1", key_id=3))
    write("advert", "version-2.bin", b"\0" + advert(c, 7, [a], version=2))


def linkrep(sender, seq, port=b"fast0", tx=1_000_000, echo=0, held=0, entries=(), key=None,
            key_id=0, version=1, extra=b""):
    """A link report (src/linkrep.h, version 1); HMAC-SHA256 with `key`.

    entries: (local, remote, kind, state, sent, received, echo pair or None)."""
    import hmac
    flags = 1 if key is not None else 0
    fam = 6 if len(sender) == 16 else 4
    body = b"mrLR" + bytes([version, flags, key_id if key is not None else 0, fam])
    body += bytes(sender).ljust(16, b"\0") + struct.pack("!I", seq)
    sec = port.ljust(16, b"\0") + struct.pack("!QQI", tx, echo, held if echo else 0)
    sec += bytes([len(entries), 0, 0, 0])
    for local, remote, kind, state, sent, rcvd, pair in entries:
        sec += struct.pack("!IIBBBBII", local, remote, kind, state, 1 if pair else 0, 0, sent, rcvd)
        sec += struct.pack("!II", *(pair or (0, 0)))
    body += struct.pack("!BBH", 1, 0, len(sec)) + sec + extra
    if key is not None:
        body += hmac.new(key, body, hashlib.sha256).digest()
    return body


def node_entry(port, peer_port=b"", node=None, expected=None, state=0, since=0, rtt=None,
               jitter=None, loss_to=None, loss_from=None, flaps=0, detect=0, last_detect=0):
    """One node table entry (src/linkrep.h, section 2): 100 bytes."""
    def addr(a):
        if a is None:
            return 0, bytes(16)
        return (4 if len(a) == 4 else 6), bytes(a).ljust(16, b"\0")
    nf, nb = addr(node)
    ef, eb = addr(expected)
    unk32, unk16 = 0xffffffff, 0xffff
    return (port.ljust(16, b"\0") + peer_port.ljust(16, b"\0") + nb + eb +
            bytes([nf, ef, state, 0]) +
            struct.pack("!QIIHHIII", since, unk32 if rtt is None else rtt,
                        unk32 if jitter is None else jitter,
                        unk16 if loss_to is None else loss_to,
                        unk16 if loss_from is None else loss_from, flaps, detect, last_detect))


def node_table(entries, total=None, first=0, lifetime=5000):
    """A node table section (type 2) with its section header."""
    body = bytes([len(entries) if total is None else total, first, len(entries), 0])
    body += struct.pack("!I", lifetime) + b"".join(entries)
    return struct.pack("!BBH", 2, 0, len(body)) + body


def linkrep_nodes(sender, seq, table, key=None, key_id=0):
    """A message with only a node table (what goes over the LAN and every fast port)."""
    import hmac
    flags = 1 if key is not None else 0
    fam = 6 if len(sender) == 16 else 4
    body = b"mrLR" + bytes([1, flags, key_id if key is not None else 0, fam])
    body += bytes(sender).ljust(16, b"\0") + struct.pack("!I", seq) + table
    if key is not None:
        body += hmac.new(key, body, hashlib.sha256).digest()
    return body


def linkreps():
    a, b6 = (10, 10, 0, 1), bytes.fromhex("fd000000000000000000000000000002")
    up = up_e = (0x1111, 0x2222, 1, 3, 5000, 4990, (4900, 4890))
    write("linkrep", "plain.bin", b"\0" + linkrep(a, 7, entries=[up], echo=999_000, held=120))
    write("linkrep", "plain-three.bin", b"\0" + linkrep(a, 0xffffffff, entries=[
        up, (0x3333, 0x4444, 2, 3, 100, 100, None), (0x5555, 0, 3, 1, 3, 0, None)]))
    write("linkrep", "plain-empty.bin", b"\0" + linkrep(b6, 1, port=b"enp65s0f1"))
    write("linkrep", "plain-later-section.bin", b"\0" + linkrep(a, 8, entries=[up],
          extra=b"\x09\x00\x00\x03abc"))
    write("linkrep", "keyed.bin", b"\1" + b"3 Link.Key-1\n\0" +
          linkrep(a, 9, entries=[up], key=b"Link.Key-1", key_id=3))
    write("linkrep", "keyed-second-key.bin", b"\1" + b"4 new\n3 Link.Key-1\n\0" +
          linkrep(b6, 9, entries=[up], key=b"Link.Key-1", key_id=3))
    write("linkrep", "version-2.bin", b"\0" + linkrep(a, 7, version=2))
    n2, n3, b7 = (10, 10, 0, 2), (10, 10, 0, 3), bytes.fromhex("fd000000000000000000000000000007")
    up = node_entry(b"fast0", b"fast0", n2, n2, state=1, since=65_000, rtt=45, jitter=3,
                    loss_to=0, loss_from=0, flaps=1, detect=60_000, last_detect=58_000)
    moved = node_entry(b"fast1", b"fast2", n3, n2, state=2, since=1_200, rtt=None,
                       loss_to=None, loss_from=12, flaps=4, detect=60_000)
    free = node_entry(b"fast2", since=900_000)
    write("linkrep", "nodes.bin", b"\0" + linkrep_nodes(a, 11, node_table([up, moved, free])))
    write("linkrep", "nodes-part.bin", b"\0" + linkrep_nodes(b6, 12, node_table(
        [node_entry(b"p%d" % i, b"q", b7, b7, state=1 + i % 5, since=i) for i in range(13)],
        total=32, first=19, lifetime=60_000)))
    write("linkrep", "nodes-empty.bin", b"\0" + linkrep_nodes(a, 13, node_table([], total=0)))
    write("linkrep", "nodes-keyed.bin", b"\1" + b"3 Link.Key-1\n\0" +
          linkrep_nodes(a, 14, node_table([up, free]), key=b"Link.Key-1", key_id=3))
    write("linkrep", "link-and-nodes.bin", b"\0" + linkrep(a, 15, entries=[up_e], echo=999_000,
          held=120, extra=node_table([up])))


def configs():
    srcs = [os.path.join(ROOT, "etc", "meshroute.conf.example")]
    cdir = os.path.join(ROOT, "tests", "config")
    srcs += sorted(os.path.join(cdir, f) for f in os.listdir(cdir) if f.endswith(".conf"))
    for s in srcs:
        shutil.copyfile(s, os.path.join(CORPUS, "config", os.path.basename(s)))


def control():
    reqs = {
        "status": b"status\n", "status-json": b"-j status\n", "metrics": b"metrics\n",
        "reload": b"reload\n", "drain": b"drain p1\n", "drain-fast0": b"drain fast0\n",
        "undrain-json": b"-j undrain p1\n", "drained": b"drained p1\r\n",
        "unknown": b"help me\n", "no-newline": b"-j metrics", "empty-line": b"\n",
        "json-escape": b"-j drain \"\\\x01\xff\n",
    }
    for nm, data in reqs.items():
        write("control", nm, data)


def main():
    for sub in ("packet", "auth", "config", "control", "advert", "linkrep"):
        os.makedirs(os.path.join(CORPUS, sub), exist_ok=True)
    packets()
    auth()
    configs()
    control()
    adverts()
    linkreps()
    return 0


if __name__ == "__main__":
    sys.exit(main())
