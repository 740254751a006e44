#!/usr/bin/env python3
"""Writes a large pathconf JSONL paths file for the scale measurement (issue #36):
the committed SmolLM2 records (data/smollm2_paths.jsonl, 192 questions x 64 paths)
repeated until the file reaches the size asked, each copy's ids suffixed so that
every question id is distinct.

    python3 scripts/big_paths.py OUT GIGABYTES
"""
import os
import sys

out, gigabytes = sys.argv[1], float(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "data", "smollm2_paths.jsonl"), encoding="utf-8") as f:
    records = [line.rstrip("\n") for line in f if line.strip()]
prefix = '{"id":"'
assert all(r.startswith(prefix) for r in records), "records start with their id"
target = int(gigabytes * 1e9)
written, copy = 0, 0
with open(out + ".tmp", "w", encoding="utf-8") as f:
    while written < target:
        block = "".join(prefix + f"c{copy}-" + r[len(prefix):] + "\n" for r in records)
        f.write(block)
        written += len(block.encode("utf-8"))
        copy += 1
os.replace(out + ".tmp", out)
print(f"{out}: {written / 1e9:.2f} GB, {copy * len(records)} questions ({copy} copies of {len(records)})")
