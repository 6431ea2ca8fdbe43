#!/usr/bin/env python3
"""`allocscope run --quick -r 1` over the default suite with glibc, jemalloc and
mimalloc writes every file of the results contract, with plausible values,
including glibc's 135168-byte program-break step and none for the others."""
import csv
import json
import os
import shutil
import subprocess
import sys

exe, out = sys.argv[1], sys.argv[2]
shutil.rmtree(out, ignore_errors=True)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)


proc = subprocess.run([exe, "run", "--quick", "-r", "1", "-a", "glibc,jemalloc,mimalloc",
                       "-o", out, "--no-plots"], capture_output=True, text=True, timeout=600)
print(proc.stderr, file=sys.stderr)
check(proc.returncode == 0, f"exit status {proc.returncode}")

# run.json: the metadata of the contract.
meta = json.load(open(os.path.join(out, "run.json")))
for key in ["schema_version", "command_line", "started_at", "finished_at", "host", "perf",
            "tool", "allocators", "workloads", "reps", "status"]:
    check(key in meta, f"run.json lacks {key}")
check(meta["status"] == "complete", f"run.json status {meta['status']}")
for key in ["kernel", "cpu_model", "cores", "thp_mode"]:
    check(key in meta["host"], f"run.json host lacks {key}")
check(meta["tool"]["git_commit"], "git commit recorded")
names = [a["name"] for a in meta["allocators"]]
check(names == ["glibc", "jemalloc", "mimalloc"], f"allocators {names}")
for a in meta["allocators"]:
    check(a["version"], f"{a['name']}: version recorded")
    check(a["serves_from"], f"{a['name']}: serving library recorded")
workloads = {w["name"]: w for w in meta["workloads"]}
check(len(workloads) == 9, f"9 workloads in run.json, got {len(workloads)}")
for w in workloads.values():
    check(len(w["spec_hash"]) == 16 and len(w["opstream_hash"]) == 16, "hashes recorded")
    check(w["source"].endswith(".yaml"), "source file recorded")
# Unsupported counters are said to be so, with a reason.
for name, m in meta["perf"].items():
    check(m["supported"] or m.get("reason"), f"perf {name}: unsupported without a reason")

# summary.csv: one ok row per (workload, allocator).
rows = list(csv.DictReader(open(os.path.join(out, "summary.csv"))))
check(len(rows) == 27, f"27 rows, got {len(rows)}")
required = ["workload", "allocator", "rep", "status", "ops", "threads", "wall_s", "ops_per_s",
            "peak_rss_bytes", "peak_live_bytes", "peak_brk_bytes", "frag_peak_ratio",
            "minor_faults", "dtlb_load_misses", "latency_p99_ns", "served_by", "opstream_hash"]
for col in required:
    check(col in rows[0], f"summary.csv lacks column {col}")
tlb_supported = meta["perf"]["dtlb_load_misses"]["supported"]
hashes = {}
for r in rows:
    tag = f"{r['workload']}/{r['allocator']}"
    check(r["status"] == "ok", f"{tag}: status {r['status']} {r['reason']}")
    if r["status"] != "ok":
        continue
    check(int(r["ops"]) > 0 and float(r["ops_per_s"]) > 0, f"{tag}: ops and throughput")
    check(int(r["peak_rss_bytes"]) > int(r["peak_heap_bytes"]) >= 0, f"{tag}: rss > heap >= 0")
    check(int(r["peak_live_bytes"]) > 0, f"{tag}: peak live")
    check(int(r["minor_faults"]) > 0, f"{tag}: minor faults")
    check(r["allocator"] in r["served_by"] or (r["allocator"] == "glibc" and "libc.so" in r["served_by"]),
          f"{tag}: served by {r['served_by']}")
    if tlb_supported:
        check(r["dtlb_load_misses"] != "", f"{tag}: TLB supported but empty")
    else:
        check(r["dtlb_load_misses"] == "", f"{tag}: unsupported TLB must be empty, not {r['dtlb_load_misses']}")
    hashes.setdefault(r["workload"], set()).add(r["opstream_hash"])
    peak_live = int(r["peak_live_bytes"])
    if r["workload"] != "brk-textbook":
        check(r["latency_p99_ns"] != "", f"{tag}: latency p99")
        ratio = float(r["frag_peak_ratio"])
        check(abs(ratio - int(r["peak_heap_bytes"]) / peak_live) < 1e-3, f"{tag}: frag ratio = peak heap / peak live")
for w, hs in hashes.items():
    check(len(hs) == 1, f"{w}: the same op stream for every allocator ({hs})")

# The textbook program break.
brk = {r["allocator"]: int(r["peak_brk_bytes"]) for r in rows if r["workload"] == "brk-textbook"}
check(brk.get("glibc") == 135168, f"glibc break step {brk.get('glibc')}")
check(brk.get("jemalloc") == 0 and brk.get("mimalloc") == 0, f"mmap allocators move the break: {brk}")
samples = list(csv.DictReader(open(os.path.join(out, "samples", "brk-textbook", "glibc-1.csv"))))
steps = [int(s["brk_bytes"]) for s in samples if s["kind"] == "periodic"]
check(steps[:5] == [135168] * 5, f"glibc break after each malloc: {steps[:5]}")

# samples: every run has its series with the contract's columns.
for r in rows:
    path = os.path.join(out, "samples", r["workload"], f"{r['allocator']}-1.csv")
    check(os.path.exists(path), f"missing {path}")
    if not os.path.exists(path):
        continue
    s = list(csv.DictReader(open(path)))
    for col in ["op", "t_ns", "live_bytes", "rss_bytes", "heap_bytes", "brk_bytes", "minor_faults", "dtlb_load_misses"]:
        check(col in s[0], f"{path}: no column {col}")
    check(s[0]["kind"] == "baseline" and int(s[0]["heap_bytes"]) == 0, f"{path}: baseline first")
    check(s[-1]["kind"] == "phase_end", f"{path}: ends with a phase end")
    check(int(s[-1]["live_bytes"]) == 0, f"{path}: teardown frees everything")
    ops = [int(x["op"]) for x in s]
    check(ops == sorted(ops), f"{path}: op column increases")
    check(int(s[-1]["op"]) == int(r["ops"]), f"{path}: last sample at the last op")

print(f"{len(failures)} failed checks" if failures else "all checks passed")
sys.exit(1 if failures else 0)
