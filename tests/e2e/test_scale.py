#!/usr/bin/env python3
"""10^8 ops of tiny churn run in bounded memory: the parent and the worker
each stay under 64 MiB (the stream itself would be 2.4 GB), asserted on
the processes' own peak resident set (getrusage, recorded by allocscope),
not on time; and every allocator executes the same stream (one hash)."""
import csv
import json
import os
import shutil
import subprocess
import sys

exe, out = sys.argv[1], sys.argv[2]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
LIMIT = 64 << 20
OPS = 100_000_000
spec = os.path.join(out, "tiny.yaml")
with open(spec, "w") as f:
    f.write(f"""workload:
  name: tiny-churn
  description: "10^8 ops of 16-byte churn"
  ops: {OPS}
  sizes: {{dist: fixed, size: 16}}
  live: {{objects: 1000}}
  touch: first
  timeout: 600
""")
run_dir = os.path.join(out, "run")
p = subprocess.run([exe, "run", spec, "-a", "glibc,jemalloc", "-r", "1", "--no-plots",
                    "-o", run_dir], capture_output=True, text=True, timeout=1800)
print(p.stderr, file=sys.stderr)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)


check(p.returncode == 0, f"exit status {p.returncode}")
meta = json.load(open(os.path.join(run_dir, "run.json")))
parent = meta["harness"]["parent_peak_rss_bytes"]
check(parent < LIMIT, f"parent peak RSS {parent} bytes")
rows = list(csv.DictReader(open(os.path.join(run_dir, "summary.csv"))))
check(len(rows) == 2, f"{len(rows)} rows")
hashes = set()
for r in rows:
    check(r["status"] == "ok", f"{r['allocator']}: {r['status']} {r['reason']}")
    if r["status"] != "ok":
        continue
    check(int(r["ops"]) == OPS + 1000, f"{r['allocator']}: ops {r['ops']}")
    # The worker's own lifetime peak (getrusage), the harness's mappings
    # included: everything it held, whatever the op count.
    worker = int(r["ru_maxrss_bytes"]) + int(r["harness_bytes"])
    check(worker < LIMIT, f"{r['allocator']}: worker peak RSS {worker} bytes")
    hashes.add(r["opstream_hash"])
check(len(hashes) == 1 and "" not in hashes, f"stream hashes {hashes}")
check(meta["workloads"][0]["opstream_hash"] in hashes, "run.json has the stream's hash")
print(f"parent {parent >> 20} MiB; rows {[(r['allocator'], r['ru_maxrss_bytes']) for r in rows]}")
sys.exit(1 if failures else 0)
