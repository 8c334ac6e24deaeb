#!/usr/bin/env python3
"""Check that toll's C sources include only headers of their own stage or
of a stage below it.

The stages are the folders of src/.  ALLOWED below is the rule: a file in
folder F may include a header of folder G only when G is F itself or G is
listed for F.  Public headers ("toll/...") and system headers ("<...>") may
be included from anywhere.  Two folders that include each other are always
an error, whatever the table says.

    scripts/check-layers.py [SRC]    exit 0 when every include is allowed,
                                     1 with one line per offence otherwise

The table is also documented, folder by folder, in docs/DESIGN.md.
"""
import os
import re
import sys

# folder -> the folders whose headers it may include (its own always).
ALLOWED = {
    "base": [],
    "core": ["base"],
    "store": ["base", "core", "render"],  # render: the table type, for
                                          # the stored-reports accessor
    "render": ["base", "core"],
    "io": ["base", "core", "store"],
    "link": ["base", "core", "store", "render"],
    "reconcile": ["base", "core", "store", "render", "link"],
    "stats": ["base", "core", "store", "io", "reconcile", "render"],
    "summarize": ["base", "core", "store", "reconcile", "stats", "render"],
    # the command-line tool: the public API, plus its own files
    "cli": [],
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def stage_of(path, src):
    """The stage (top folder under src) of a file, or None."""
    rel = os.path.relpath(path, src)
    parts = rel.split(os.sep)
    return parts[0] if len(parts) > 1 else None


def header_stage(name, including, src):
    """The stage of an included header, resolved as the compiler would:
    first beside the including file, then from src/.  None for public
    headers and headers outside src/."""
    if name.startswith("toll/"):
        return None
    for base in (os.path.dirname(including), src):
        cand = os.path.normpath(os.path.join(base, name))
        if os.path.exists(cand):
            return stage_of(cand, src)
    return None


def check(src):
    problems = []
    edges = {}
    for root, _dirs, files in os.walk(src):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(root, f)
            me = stage_of(path, src)
            if me is None:
                problems.append(f"{path}: a file directly in src/ belongs "
                                "in a stage folder")
                continue
            if me not in ALLOWED:
                problems.append(f"{path}: folder '{me}' is not a known stage "
                                "(add it to ALLOWED in scripts/check-layers.py)")
                continue
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            for m in INCLUDE.finditer(text):
                name = m.group(1)
                other = header_stage(name, path, src)
                if other is None or other == me:
                    continue
                line = text.count("\n", 0, m.start()) + 1
                edges.setdefault((me, other), f"{path}:{line}")
                if other not in ALLOWED[me]:
                    problems.append(
                        f"{path}:{line}: '{me}' includes \"{name}\" of stage "
                        f"'{other}', which is not below it (allowed: "
                        f"{', '.join(ALLOWED[me]) or 'none'})")
    for (a, b), where in sorted(edges.items()):
        if a < b and (b, a) in edges:
            problems.append(f"folders '{a}' and '{b}' include each other "
                            f"({where} and {edges[(b, a)]})")
    return problems


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    src = argv[1] if len(argv) > 1 else os.path.join(here, "..", "src")
    src = os.path.normpath(src)
    if not os.path.isdir(src):
        print(f"check-layers: {src}: no such directory", file=sys.stderr)
        return 2
    problems = check(src)
    for p in problems:
        print(f"check-layers: {p}", file=sys.stderr)
    if problems:
        return 1
    print("check-layers: every include runs down the stage order")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
