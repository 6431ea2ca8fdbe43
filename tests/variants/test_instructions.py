#!/usr/bin/env python3
"""--instructions: the measured loop's user-space instructions. Under
callgrind a single-threaded workload under glibc gives identical counts in
every repetition, and a preloaded shim that adds a known number of
instructions to every malloc changes the count by exactly that much."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check, finish, meta, rows, run, shim, work, workload, write  # noqa: E402

# --- callgrind: repeatable, single-threaded only, other figures empty -----
out = os.path.join(work, "cg")
p = run("run", "--instructions=callgrind", "-r", "2", "-a", "glibc", "--quick", "-o", out,
        workload("churn-small"), workload("producer-consumer"))
check(p.returncode == 0, f"callgrind run exits 0 ({p.stderr.strip()})")
m = meta(out)
check(m["measurement"]["instructions"]["method"] == "callgrind", "run.json: method callgrind")
check(m["measurement"]["sample_interval_ns"] == 0, "no samples by time under callgrind")
ops = {w["name"]: w["ops"] for w in m["workloads"]}
counts = []
for r in rows(out):
    if r["workload"] == "producer-consumer":
        check(r["status"] == "skipped" and "single-threaded" in r["reason"],
              f"threaded workload skipped with the reason: {r['status']} {r['reason']}")
        continue
    check(r["status"] == "ok", f"churn-small rep {r['rep']}: {r['status']} {r['reason']}")
    n = int(r["instructions"] or 0)
    counts.append(n)
    check(n > 10 * ops["churn-small"], f"a plausible count: {n} for {ops['churn-small']} ops")
    check(abs(float(r["instructions_per_op"]) - n / ops["churn-small"]) < 1e-3,
          f"instructions_per_op = instructions / ops: {r['instructions_per_op']}")
    for col in ["ops_per_s", "wall_s", "peak_heap_bytes", "latency_p99_ns", "cpu_s"]:
        check(r[col] == "", f"{col} is empty under callgrind, got {r[col]!r}")
check(len(counts) == 2 and counts[0] == counts[1],
      f"identical counts in two repetitions: {counts}")

# --- the shim's known instructions are what is counted --------------------
# ALLOCSCOPE_SHIM_SPIN=N runs N iterations of a 3-instruction loop in every
# malloc: 20 more iterations are 60 more instructions per malloc call.
out = os.path.join(work, "shim")
p = run("run", "--instructions=callgrind", "-r", "1", "-a", f"s10={shim},s30={shim}",
        "--env", "s10:ALLOCSCOPE_SHIM_SPIN=10", "--env", "s30:ALLOCSCOPE_SHIM_SPIN=30",
        "--quick", "-o", out, workload("churn-small"))
check(p.returncode == 0, f"shim run exits 0 ({p.stderr.strip()})")
by = {r["allocator"]: int(r["instructions"] or 0) for r in rows(out)}
mallocs = meta(out)["workloads"][0]["op_counts"]["malloc"]
check(by.get("s30", 0) - by.get("s10", 0) == 60 * mallocs,
      f"30 vs 10 spins: {by} differ by {by.get('s30', 0) - by.get('s10', 0)}, "
      f"want 60 x {mallocs} mallocs")

# --- perf: where no PMU counts instructions:u, a clear refusal --------------
out = os.path.join(work, "perf")
p = run("run", "--instructions=perf", "-r", "1", "-a", "glibc", "--quick", "--no-plots", "-o",
        out, workload("churn-small"))
if p.returncode == 2:
    check("perf cannot count instructions:u here" in p.stderr, f"why not: {p.stderr.strip()}")
    check(not os.path.exists(out), "nothing run when perf cannot count")
else:
    check(p.returncode == 0, f"perf run: {p.returncode} {p.stderr}")
    r = rows(out)[0]
    check(r["instructions"] != "" and int(r["instructions"]) > 0, "perf counted instructions")
    check(r["ops_per_s"] != "", "perf leaves the other figures in place")

# --- without --instructions the columns are empty, never 0 ------------------
out = os.path.join(work, "plain")
p = run("run", "-r", "1", "-a", "glibc", "--quick", "--no-plots", "-o", out,
        workload("churn-small"))
r = rows(out)[0]
check(r["instructions"] == "" and r["instructions_per_op"] == "",
      f"instructions empty when not counted: {r['instructions']!r}")
# CPU time: a single thread cannot use more CPU than the time that passed
# (both with the harness's pauses and the timing cost taken out).
check(0 < float(r["cpu_s"]) <= float(r["wall_s"]) * 1.01 + 2e-4,
      f"0 < cpu_s {r['cpu_s']} <= wall_s {r['wall_s']}")
check(abs(float(r["ops_per_cpu_s"]) - float(r["ops"]) / float(r["cpu_s"])) <
      1e-3 * float(r["ops_per_cpu_s"]), "ops_per_cpu_s = ops / cpu_s")
finish()
