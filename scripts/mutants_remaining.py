#!/usr/bin/env python3
"""Which of today's mutants no kept run has tested yet (issue #32, item 6).

    python3 scripts/mutants_remaining.py TODAY_LIST [RUN_DIR ...] > remaining.txt

TODAY_LIST is `cargo mutants --list` on the work tree (one name a line). A run
is a folder of cargo-mutants lists (caught.txt, missed.txt, timeout.txt,
unviable.txt, or listed.txt where only the names were kept) with a `tree` file
naming the commit it ran on; every folder under data/mutants/ is read, and so
is each RUN_DIR given (runs not yet copied there).

Shards ran on different trees, and a mutant's name carries its line number,
which moves when code above it changes. So a mutant is identified by what it
changes: its file, column, replacement and function, and the text of its line
on the tree it ran on. A mutant of today's tree counts as tested when a run
changed the same text the same way. Prints the untested names to stdout and a
summary to stderr: how many of today's mutants each run's outcome covers (the
latest run of a mutant wins, so a re-run after a new check replaces a miss).
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data", "mutants")
OUTCOMES = ("caught", "missed", "timeout", "unviable", "listed")
NAME = re.compile(r"^(\S+?):(\d+):(\d+): (.*)$")

_files = {}


def source_lines(tree, path):
    """The lines of `path` at commit `tree`, or in the work tree for None (None if absent)."""
    if (tree, path) not in _files:
        if tree is None:
            full = os.path.join(ROOT, path)
            text = open(full).read() if os.path.exists(full) else None
        else:
            shown = subprocess.run(["git", "-C", ROOT, "show", f"{tree}:{path}"], capture_output=True, text=True)
            text = shown.stdout if shown.returncode == 0 else None
        _files[(tree, path)] = text.split("\n") if text is not None else None
    return _files[(tree, path)]


def identity(name, tree):
    """(file, column, replacement, text of the line) of a mutant name on `tree`."""
    m = NAME.match(name)
    if m is None:
        sys.exit(f"not a cargo-mutants name: {name!r}")
    path, line, col, change = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
    lines = source_lines(tree, path)
    if lines is None or line > len(lines):
        sys.exit(f"{name}: line {line} not in {path} at {tree}")
    return (path, col, change, lines[line - 1].strip())


def read_run(folder):
    """[(outcome, name)] and the commit of one run folder, or None if it has no `tree`."""
    tree_file = os.path.join(folder, "tree")
    if not os.path.exists(tree_file):
        return None
    tree = open(tree_file).read().strip()
    # A folder as cargo-mutants leaves it keeps its lists in mutants.out/.
    lists = os.path.join(folder, "mutants.out")
    lists = lists if os.path.isdir(lists) else folder
    rows = []
    for outcome in OUTCOMES:
        path = os.path.join(lists, outcome + ".txt")
        if os.path.exists(path):
            rows += [(outcome, n.strip()) for n in open(path) if n.strip()]
    return tree, rows


def commit_time(tree):
    out = subprocess.run(["git", "-C", ROOT, "show", "-s", "--format=%ct", tree], capture_output=True, text=True, check=True)
    return int(out.stdout)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    today = [n.strip() for n in open(sys.argv[1]) if n.strip()]
    folders = [os.path.join(DATA, d) for d in sorted(os.listdir(DATA)) if os.path.isdir(os.path.join(DATA, d))]
    runs = [r for r in (read_run(f) for f in folders + sys.argv[2:]) if r is not None]
    # Oldest tree first, so that a later run's outcome replaces an earlier one.
    runs.sort(key=lambda r: commit_time(r[0]))
    seen = {}
    for tree, rows in runs:
        for outcome, name in rows:
            seen[identity(name, tree)] = outcome
    tally = dict.fromkeys(OUTCOMES, 0)
    remaining = []
    for name in today:
        outcome = seen.get(identity(name, None))
        if outcome is None:
            remaining.append(name)
        else:
            tally[outcome] += 1
    print("\n".join(remaining))
    done = ", ".join(f"{tally[o]} {o}" for o in OUTCOMES)
    print(f"{len(today)} mutants today; tested: {len(today) - len(remaining)} ({done}); remaining: {len(remaining)}", file=sys.stderr)


if __name__ == "__main__":
    main()
