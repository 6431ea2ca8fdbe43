#!/usr/bin/env python3
"""The allocators' order is a fresh seeded permutation per repetition and is
recorded; shards partition the (workload x allocator) matrix without
splitting a workload's allocators; merging the shards gives the whole run's
rows; merge refuses what cannot be one run."""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check, finish, meta, rows, run, work, workload  # noqa: E402

WORKLOADS = [workload(w) for w in
             ["brk-textbook", "churn-small", "realloc-growth", "large-blocks", "swiss-cheese"]]
ALLOCS = "a=glibc,b=glibc,c=jemalloc"


def make(out, *extra):
    p = run("run", "--quick", "-r", "4", "-a", ALLOCS, "--order-seed", "12345", "--no-plots",
            "-o", out, *extra, *WORKLOADS)
    check(p.returncode == 0, f"run {' '.join(extra)} exits 0 ({p.stderr.strip()})")
    return rows(out)


# --- order ------------------------------------------------------------------
whole = make(os.path.join(work, "whole"))
check(meta(os.path.join(work, "whole"))["order"]["seed"] == 12345, "order seed recorded")
orders = {}
for r in whole:
    orders.setdefault((r["workload"], r["rep"]), {})[r["allocator"]] = int(r["order_pos"])
for key, pos in orders.items():
    check(sorted(pos.values()) == [1, 2, 3], f"{key}: order_pos is a permutation: {pos}")
# File order within a repetition is the run order.
last = {}
for r in whole:
    k = (r["workload"], r["rep"])
    check(int(r["order_pos"]) == last.get(k, 0) + 1, f"{k}: rows in run order")
    last[k] = int(r["order_pos"])
sequences = {tuple(sorted(p, key=p.get)) for p in orders.values()}
check(len(sequences) >= 3, f"the order changes between repetitions: {sequences}")
firsts = {min(p, key=p.get) for p in orders.values()}
check(firsts == {"a", "b", "c"}, f"every allocator runs first somewhere: {firsts}")
again = make(os.path.join(work, "again"))
check([(r["workload"], r["allocator"], r["rep"], r["order_pos"]) for r in again] ==
      [(r["workload"], r["allocator"], r["rep"], r["order_pos"]) for r in whole],
      "the same seed gives the same order")

# --- shards -------------------------------------------------------------------
N = 3
shards = []
for i in range(1, N + 1):
    d = os.path.join(work, f"shard{i}")
    shards.append(d)
    make(d, "--shard", f"{i}/{N}")
    s = meta(d)["shard"]
    check(s["index"] == i and s["count"] == N, f"shard {i}: run.json shard {s}")
    check(len(s["matrix_workloads"]) == len(WORKLOADS), "shard records the whole matrix")


def key(r):
    return (r["workload"], r["allocator"], r["rep"])


seen = {}
for i, d in enumerate(shards, 1):
    mine = {r["workload"] for r in rows(d)}
    for r in rows(d):
        check(key(r) not in seen, f"{key(r)} in shard {i} and shard {seen.get(key(r))}")
        seen[key(r)] = i
    for w in mine:  # a workload's allocators and repetitions all in one shard
        n = sum(1 for r in rows(d) if r["workload"] == w)
        check(n == 3 * 4, f"shard {i}: {w} has {n} rows, want 12 (3 allocators x 4 reps)")
check(set(seen) == {key(r) for r in whole}, "the shards cover the matrix exactly")

# --- merge ----------------------------------------------------------------
merged = os.path.join(work, "merged")
p = run("merge", "-o", merged, *reversed(shards))
check(p.returncode == 0, f"merge exits 0 ({p.stderr.strip()})")
SAME = ["workload", "allocator", "rep", "order_pos", "status", "ops", "threads",
        "peak_live_bytes", "opstream_hash", "spec_hash", "served_by"]
m_rows = rows(merged)
check(sorted(tuple(r[c] for c in SAME) for r in m_rows) ==
      sorted(tuple(r[c] for c in SAME) for r in whole), "merged rows equal the whole run's")
check([r["workload"] for r in m_rows][::12] == [os.path.basename(w)[:-5] for w in WORKLOADS],
      "merged rows in the matrix's workload order")
mm = meta(merged)
check(mm["shards"] == {"count": N, "merged": [3, 2, 1]} and len(mm["merged_from"]) == N,
      f"merged run.json: {mm.get('shards')}")
check(mm["runs"]["total"] == len(whole), f"runs total {mm['runs']}")
for r in m_rows:
    check(os.path.exists(os.path.join(merged, "samples", r["workload"],
                                      f"{r['allocator']}-{r['rep']}.csv")),
          f"samples of {key(r)} copied")
p = run("compare", merged, "--base", "a", "--new", "b", "--metric", "peak_heap,brk")
check(p.returncode == 0, f"paired verdict on the merged run: {p.returncode} {p.stderr}")


def refused(args, text, what):
    out = os.path.join(work, "never")
    p = run("merge", "-o", out, *args)
    check(p.returncode == 2, f"{what}: exit {p.returncode}, want 2")
    check(text in p.stderr, f"{what}: {p.stderr.strip()!r} lacks {text!r}")
    check(not os.path.exists(os.path.join(out, "summary.csv")), f"{what}: nothing written")


refused(shards[:2], "shard 3/3 is missing", "a missing shard")
p = run("merge", "--partial", "-o", os.path.join(work, "partial"), *shards[:2])
check(p.returncode == 0, "--partial merges what is there")
refused([shards[0], shards[0], shards[1], shards[2]], "is given twice", "a shard twice")
refused([shards[0], os.path.join(work, "whole")], "a mix of shards and whole runs", "mix")
refused([os.path.join(work, "whole"), os.path.join(work, "again")], "is in", "the same rows twice")
# The same workload measured on another host: refused (its allocators pair).
other = os.path.join(work, "other-host")
shutil.copytree(os.path.join(work, "whole"), other)
with open(os.path.join(other, "run.json")) as f:
    j = json.load(f)
j["host"]["hostname"] = "elsewhere"
with open(os.path.join(other, "run.json"), "w") as f:
    json.dump(j, f)
with open(os.path.join(other, "summary.csv")) as f:
    lines = f.readlines()
with open(os.path.join(other, "summary.csv"), "w") as f:  # later repetitions
    f.write(lines[0])
    for line in lines[1:]:
        parts = line.split(",")
        parts[2] = str(int(parts[2]) + 100)
        f.write(",".join(parts))
refused([os.path.join(work, "whole"), other], "was measured on different hosts",
        "a workload from two hosts")
finish()
