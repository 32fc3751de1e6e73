#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks that an STL file is a printable solid: a closed, consistently
oriented 2-manifold with no degenerate triangles, positive volume, the
expected number of separate parts and (optionally) the expected bounding box.

    check_stl.py [--name NAME] [--size X Y Z] [--tol MM] [--parts N] FILE.stl
    check_stl.py --self-test

Reads ASCII and binary STL.  Vertices are welded by exact coordinates (both
OpenSCAD's ASCII and binary output repeat a shared vertex bit-for-bit); give
--weld MM to snap coordinates to a grid first for files from other tools.
Prints one line per check ("ok" or "FAIL") and ends with
"NAME: N passed, N failed"; exits 1 if any check failed, 2 on usage or read
errors.  Python 3 standard library only.
"""

import argparse
import os
import struct
import sys
import tempfile
from collections import Counter, defaultdict


class StlError(Exception):
    pass


def read_stl(path):
    """Returns a list of triangles, each a tuple of three (x, y, z) tuples."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) >= 84:
        (n,) = struct.unpack_from("<I", data, 80)
        if len(data) == 84 + 50 * n:
            return _read_binary(data, n)
    if data.lstrip()[:5].lower() == b"solid":
        return _read_ascii(data)
    raise StlError("neither binary STL (size does not match its triangle "
                   "count) nor ASCII STL (no 'solid' header)")


def _read_binary(data, n):
    tris = []
    for i in range(n):
        v = struct.unpack_from("<12f", data, 84 + 50 * i)
        tris.append((tuple(v[3:6]), tuple(v[6:9]), tuple(v[9:12])))
    return tris


def _read_ascii(data):
    tris, cur = [], []
    for lineno, raw in enumerate(data.decode("ascii", "replace").splitlines(), 1):
        words = raw.split()
        if not words:
            continue
        key = words[0].lower()
        if key == "vertex":
            if len(words) != 4:
                raise StlError("line %d: bad vertex" % lineno)
            try:
                cur.append(tuple(float(w) for w in words[1:]))
            except ValueError:
                raise StlError("line %d: bad number" % lineno)
        elif key == "endloop":
            if len(cur) != 3:
                raise StlError("line %d: facet with %d vertices" % (lineno, len(cur)))
            tris.append(tuple(cur))
            cur = []
    if cur:
        raise StlError("unterminated facet at end of file")
    return tris


def _sub(a, b):
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0])


def _dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def check_mesh(tris, size=None, tol=0.05, parts=1, weld=None):
    """Runs every check; returns a list of (ok, what, detail)."""
    res = []

    def add(ok, what, detail):
        res.append((bool(ok), what, detail))

    add(len(tris) > 0, "triangles", "%d read" % len(tris))
    if not tris:
        return res

    # Weld the vertices into indices.
    index, verts, faces = {}, [], []
    for t in tris:
        f = []
        for p in t:
            key = tuple(round(c / weld) for c in p) if weld else p
            if key not in index:
                index[key] = len(verts)
                verts.append(p)
            f.append(index[key])
        faces.append(tuple(f))

    # Degenerate: repeated vertex or (near) zero area.
    area_eps = 1e-10
    degenerate = 0
    for a, b, c in faces:
        if a == b or b == c or a == c:
            degenerate += 1
            continue
        n = _cross(_sub(verts[b], verts[a]), _sub(verts[c], verts[a]))
        if _dot(n, n) <= (2 * area_eps) ** 2:
            degenerate += 1
    add(degenerate == 0, "no degenerate triangles",
        "%d degenerate of %d" % (degenerate, len(faces)))
    good = [f for f in faces if len(set(f)) == 3]

    # Closed: every undirected edge belongs to exactly two triangles.
    directed = Counter()
    for a, b, c in good:
        directed.update([(a, b), (b, c), (c, a)])
    undirected = Counter()
    for (a, b), k in directed.items():
        undirected[(min(a, b), max(a, b))] += k
    bad_edges = sum(1 for k in undirected.values() if k != 2)
    add(bad_edges == 0, "closed: every edge shared by exactly 2 triangles",
        "%d edges, %d open or over-shared" % (len(undirected), bad_edges))

    # Oriented: each directed edge once, and its reverse present.
    misoriented = sum(1 for (a, b), k in directed.items()
                      if k != 1 or directed.get((b, a), 0) != 1)
    add(misoriented == 0, "consistent orientation: each directed edge once",
        "%d directed edges break it" % misoriented)

    # Manifold vertices: the triangles around each vertex form one fan
    # (two solids touching at a single corner share a vertex but not a fan).
    link = defaultdict(dict)
    for a, b, c in good:
        for v, u, w in ((a, b, c), (b, c, a), (c, a, b)):
            link[v][u] = w           # walking around v: u -> w
    bad_vertices = 0
    for v, nxt in link.items():
        start = next(iter(nxt))
        u, steps = start, 0
        while steps <= len(nxt):
            u = nxt.get(u)
            steps += 1
            if u is None or u == start:
                break
        if u != start or steps != len(nxt):
            bad_vertices += 1
    add(bad_vertices == 0, "manifold vertices: one fan around each vertex",
        "%d vertices, %d not manifold" % (len(link), bad_vertices))

    # Parts: connected components over shared vertices.
    parent = list(range(len(verts)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, c in good:
        ra, rb, rc = find(a), find(b), find(c)
        parent[rb] = ra
        parent[find(rc)] = ra
    comps = len({find(v) for f in good for v in f})
    euler = len({v for f in good for v in f}) - len(undirected) + len(good)
    genus = (2 * comps - euler) / 2
    add(comps == parts, "parts: %d expected" % parts,
        "%d found (Euler characteristic %d, %g holes through it)"
        % (comps, euler, genus))

    # Volume by the divergence theorem; positive means outward normals.
    vol = sum(_dot(verts[a], _cross(verts[b], verts[c])) for a, b, c in good) / 6
    add(vol > 0, "positive volume", "%.1f mm^3 (%.2f cm^3)" % (vol, vol / 1000))

    lo = [min(p[i] for p in verts) for i in range(3)]
    hi = [max(p[i] for p in verts) for i in range(3)]
    dims = [hi[i] - lo[i] for i in range(3)]
    got = "%.3f x %.3f x %.3f mm (from %.3f,%.3f,%.3f)" % (*dims, *lo)
    if size:
        off = [abs(dims[i] - size[i]) for i in range(3)]
        add(max(off) <= tol, "bounding box %g x %g x %g +- %g" % (*size, tol),
            got)
    else:
        print("info bounding box: " + got)
    return res


def report(name, res):
    for ok, what, detail in res:
        print("%-4s %s: %s" % ("ok" if ok else "FAIL", what, detail))
    passed = sum(1 for r in res if r[0])
    failed = len(res) - passed
    print("%s: %d passed, %d failed" % (name, passed, failed))
    return failed


# --------------------------------------------------------------- self-test
def _cube(x=0.0, y=0.0, z=0.0, s=1.0):
    p = [(x + s * (i & 1), y + s * (i >> 1 & 1), z + s * (i >> 2 & 1))
         for i in range(8)]
    quads = [(0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4),
             (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5)]   # outward, CCW
    tris = []
    for a, b, c, d in quads:
        tris += [(p[a], p[b], p[c]), (p[a], p[c], p[d])]
    return tris


def _write(tris, path, binary):
    if binary:
        with open(path, "wb") as f:
            f.write(b"self-test".ljust(80, b" "))
            f.write(struct.pack("<I", len(tris)))
            for t in tris:
                f.write(struct.pack("<12fH", 0, 0, 0, *t[0], *t[1], *t[2], 0))
    else:
        with open(path, "w") as f:
            f.write("solid t\n")
            for t in tris:
                f.write(" facet normal 0 0 0\n  outer loop\n")
                for v in t:
                    f.write("   vertex %r %r %r\n" % v)
                f.write("  endloop\n endfacet\n")
            f.write("endsolid t\n")


def self_test():
    """Every check must pass on a good cube and catch each kind of defect."""
    cube = _cube()
    flip = lambda t: (t[0], t[2], t[1])
    cases = [
        # (what, triangles, expected failing check prefix or None)
        ("good cube", cube, None),
        ("open cube", cube[:-1], "closed"),
        ("one triangle flipped", cube[:-1] + [flip(cube[-1])], "consistent"),
        ("inside out", [flip(t) for t in cube], "positive volume"),
        ("degenerate triangle", cube + [((0, 0, 0), (0, 0, 0), (1, 0, 0))],
         "no degenerate"),
        ("cubes touching at a corner", cube + _cube(1, 1, 1), "manifold vertices"),
        ("two separate cubes", cube + _cube(3, 0, 0), "parts"),
        ("wrong size", _cube(s=2.0), "bounding box"),
    ]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for what, tris, expect in cases:
            for binary in (False, True):
                path = os.path.join(tmp, "t.stl")
                _write(tris, path, binary)
                res = check_mesh(read_stl(path), size=(1, 1, 1), tol=0.001)
                fails = [w for ok, w, _ in res if not ok]
                if expect is None:
                    ok = not fails
                else:
                    ok = any(w.startswith(expect) for w in fails)
                label = "%s (%s)" % (what, "binary" if binary else "ascii")
                print("%-4s %s: %s" % ("ok" if ok else "FAIL", label,
                      "failed " + ", ".join(fails) if fails else "all checks pass"))
                passed += ok
                failed += not ok
    print("check_stl self-test: %d passed, %d failed" % (passed, failed))
    return failed


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stl", nargs="?", help="STL file (ASCII or binary)")
    ap.add_argument("--name", default="stl", help="label of the summary line")
    ap.add_argument("--size", nargs=3, type=float, metavar=("X", "Y", "Z"),
                    help="expected bounding box size in mm")
    ap.add_argument("--tol", type=float, default=0.05,
                    help="bounding box tolerance in mm (default 0.05)")
    ap.add_argument("--parts", type=int, default=1,
                    help="expected number of separate parts (default 1)")
    ap.add_argument("--weld", type=float, metavar="MM",
                    help="snap vertices to this grid before welding")
    ap.add_argument("--self-test", action="store_true",
                    help="check the checker on small synthetic meshes")
    args = ap.parse_args(argv)
    if args.self_test:
        return 1 if self_test() else 0
    if not args.stl:
        ap.error("an STL file is needed")
    try:
        tris = read_stl(args.stl)
    except (OSError, StlError) as e:
        print("FAIL read %s: %s" % (args.stl, e))
        print("%s: 0 passed, 1 failed" % args.name)
        return 2
    print("checking %s" % args.stl)
    res = check_mesh(tris, args.size, args.tol, args.parts, args.weld)
    return 1 if report(args.name, res) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
