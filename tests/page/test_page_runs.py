#!/usr/bin/env python3
"""Page-level phases on real runs, every allocator, each figure against a
witness outside the code that computed it:

 - access phases: the worker's visits match the generator's (the runner
   fails a row whose visit check differs; here every row is ok), their
   count is passes x the live objects the workload holds (this script's
   own count), they are not counted as ops, and the stream hash is the same
   for every allocator;
 - fork phase: a workload that rewrites k = 2000 pages (2000 objects of
   4096 bytes, written whole, all resident and shared at the fork) takes at
   least k copy-on-write faults after the fork, at least k pages stop being
   shared, and the child is gone when the run is over (its pid names no
   process, or another program); without the fork phase the same rewrite
   takes fewer than k/10 faults;
 - lock: all: at the end of the run every accessible mapping is resident
   (Rss = Size, summed over /proc/self/smaps), where without the lock some
   allocator keeps mapped memory that is not resident."""
import csv
import os
import shutil
import subprocess
import sys
import tempfile

exe, work = sys.argv[1:3]
src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []
ALLOCATORS = "glibc,jemalloc,mimalloc,reference"


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr, flush=True)


def run(name, yaml_text):
    path = os.path.join(work, name + ".yaml")
    with open(path, "w") as f:
        f.write(yaml_text)
    out = os.path.join(work, name)
    p = subprocess.run([exe, "run", "-r", "1", "-a", ALLOCATORS, "--no-plots", "-o", out, path],
                       capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, f"{name}: run exits 0: {p.stderr[-800:]}")
    rows = list(csv.DictReader(open(os.path.join(out, "summary.csv"))))
    check(len(rows) == 4, f"{name}: 4 rows ({len(rows)})")
    for r in rows:
        check(r["status"] == "ok", f"{name} x {r['allocator']}: {r['status']} {r['reason']}")
    return [r for r in rows if r["status"] == "ok"]


# ---- access phases -------------------------------------------------------
LIVE = 5000
rows = run("access", f"""
workload:
  name: access
  seed: 5
  sizes: {{dist: uniform, min: 16, max: 512}}
  phases:
    - name: fill
      ops: {LIVE}
      live: {{objects: {LIVE}}}
      free_order: never
    - name: random
      access: {{pattern: random, passes: 3, bytes_per_object: 64}}
    - name: sequential
      access: {{pattern: sequential, passes: 2, bytes_per_object: 32, write: true}}
    - name: allocation
      access: {{pattern: allocation_order, bytes_per_object: 4096}}
""")
hashes = {r["opstream_hash"] for r in rows}
check(len(hashes) == 1, f"access: one stream for every allocator ({hashes})")
for r in rows:
    name = f"access x {r['allocator']}"
    check(int(r["access_count"]) == 6 * LIVE, f"{name}: access_count {r['access_count']} = 6 x {LIVE}")
    check(int(r["ops"]) == 2 * LIVE, f"{name}: ops {r['ops']} = {2 * LIVE} allocations and frees only")
    check(int(r["access_timed_count"]) > 0, f"{name}: some accesses timed")
    check(float(r["access_s"]) > 0 and float(r["access_ns_mean"]) > 0, f"{name}: access time")
    mean = float(r["access_s"]) * 1e9 / int(r["access_count"])
    check(abs(mean - float(r["access_ns_mean"])) <= 0.01 * mean + 0.01,
          f"{name}: access_ns_mean {r['access_ns_mean']} = access_s / access_count {mean:.2f}")
    check(r["fork_count"] == "" and r["lock"] == "none", f"{name}: no fork, no lock")

# The CPU's own counters: a number where run.json says the machine counts
# them, else an empty cell and a reason (never 0 for "cannot count").
import json
meta = json.load(open(os.path.join(work, "access", "run.json")))
check(meta["host"].get("page_walk_events") in ("none", "intel-skylake-icelake", "intel-sapphire-rapids",
                                              "amd-zen2-zen5"), f"page_walk_events {meta['host']}")
for metric, col in (("cpu_cycles", "cpu_cycles"), ("dtlb_walks", "dtlb_walks"),
                    ("dtlb_walk_cycles", "dtlb_walk_cycles"), ("dtlb_walks", "access_dtlb_walks_per_visit")):
    m = meta["perf"][metric]
    for r in rows:
        if m["supported"]:
            check(r[col] != "", f"{col}: counted here, yet empty for {r['allocator']}")
        else:
            check(r[col] == "" and len(m.get("reason", "")) > 10,
                  f"{col}: unsupported ({m.get('reason')}), cell '{r[col]}' for {r['allocator']}")

# ---- fork phase ------------------------------------------------------------
K = 2000


def fork_yaml(name, fork):
    phase = f"    - name: snapshot\n      fork: {fork}\n" if fork else ""
    return f"""
workload:
  name: {name}
  seed: 3
  sizes: {{dist: fixed, size: 4096}}
  touch: all
  phases:
    - name: fill
      ops: {K}
      live: {{objects: {K}}}
      free_order: never
{phase}    - name: rewrite
      access: {{pattern: allocation_order, bytes_per_object: 4096, write: true}}
"""


def gone(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"allocscope-worker" not in f.read()
    except FileNotFoundError:
        return True


for mode in ("idle", "read"):
    for r in run(f"fork-{mode}", fork_yaml(f"fork-{mode}", mode)):
        name = f"fork {mode} x {r['allocator']}"
        check(r["fork_count"] == "1", f"{name}: one fork")
        check(int(r["fork_minor_faults"]) >= K, f"{name}: {r['fork_minor_faults']} faults after the "
              f"fork for {K} rewritten pages")
        check(int(r["fork_unshared_bytes"]) >= K * 4096,
              f"{name}: {r['fork_unshared_bytes']} bytes no longer shared, >= {K} pages")
        pid = int(r["fork_child_pid"])
        check(pid > 0 and gone(pid), f"{name}: child {pid} gone after the run")
for r in run("fork-none", fork_yaml("fork-none", None)):
    check(r["fork_count"] == "", f"no fork x {r['allocator']}: fork columns empty")
    # All but the rewrite's faults happen in `fill`; the rewrite of
    # resident pages faults nothing without a fork.
    check(int(r["minor_faults"]) < K + K // 10 + 200,
          f"no fork x {r['allocator']}: {r['minor_faults']} faults, about the {K} of the fill")

# ---- lock: all ---------------------------------------------------------------
LOCK_BODY = """
  seed: 9
  sizes: {dist: uniform, min: 16, max: 65536}
  ops: 20000
  live: {objects: 2000}
  touch: first
"""
unlocked = {r["allocator"]: r for r in run("unlocked", "workload:\n  name: unlocked" + LOCK_BODY)}
locked = run("locked", "workload:\n  name: locked\n  lock: all" + LOCK_BODY)
for r in locked:
    name = f"lock all x {r['allocator']}"
    check(r["lock"] == "all", f"{name}: lock column")
    check(int(r["mapped_bytes"]) > 0 and r["mapped_rss_bytes"] == r["mapped_bytes"],
          f"{name}: resident {r['mapped_rss_bytes']} = mapped {r['mapped_bytes']}")
check(any(int(u["mapped_rss_bytes"]) < int(u["mapped_bytes"]) for u in unlocked.values()),
      "without the lock some allocator keeps mapped memory that is not resident")

# Without the right to lock (an unprivileged user, RLIMIT_MEMLOCK 64 KiB
# that it cannot raise) lock: all fails the row and says why. Needs root
# to drop to such a user (setpriv, prlimit from util-linux).
# The user's files go in a folder of their own under the system's temporary
# directory: the build tree's folders may be closed to other users (a clone
# under /root, a umask of 077).
unprivileged = ["prlimit", "--memlock=65536:65536", "setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", "--inh-caps=-all"]
can_drop = bool(os.geteuid() == 0 and shutil.which("setpriv") and shutil.which("prlimit"))
if not can_drop:
    print("note: not root or no setpriv/prlimit: the unprivileged lock case is not run")
if can_drop:
    shared = tempfile.mkdtemp(prefix="allocscope-lock-")
    os.chmod(shared, 0o777)
    registry = os.path.join(shared, "registry.yaml")
    shutil.copyfile(os.path.join(src, "allocators", "registry.yaml"), registry)
    os.chmod(registry, 0o644)
    # `list` as that user reads the registry and starts a worker under each
    # allocator: everything the run below needs.
    listed = subprocess.run(unprivileged + [exe, "list", "--registry", registry],
                            capture_output=True, text=True)
    if listed.returncode != 0 or not any(line.split()[:2] == ["glibc", "available"]
                                         for line in listed.stdout.splitlines()):
        print(f"note: {exe} and its worker cannot be run by an unprivileged user here (their "
              "folders are closed to others): the unprivileged lock case is not run")
        shutil.rmtree(shared, ignore_errors=True)
        can_drop = False
if can_drop:
    path = os.path.join(shared, "locked.yaml")
    with open(path, "w") as f:
        f.write("workload:\n  name: locked\n  lock: all" + LOCK_BODY)
    os.chmod(path, 0o644)
    out = os.path.join(shared, "run")
    p = subprocess.run(unprivileged + [exe, "run", "-r", "1", "-a", "glibc", "--no-plots",
                                       "--registry", registry, "-o", out, path],
                       capture_output=True, text=True, timeout=300)
    check(p.returncode == 3, f"unprivileged lock: exit 3 (some run failed), got {p.returncode}: {p.stderr[-400:]}")
    rows = list(csv.DictReader(open(os.path.join(out, "summary.csv")))) if os.path.exists(
        os.path.join(out, "summary.csv")) else []
    check(len(rows) == 1 and rows[0]["status"] == "failed" and "RLIMIT_MEMLOCK 64 KiB" in rows[0]["reason"]
          and "mlockall" in rows[0]["reason"], f"unprivileged lock: failed row naming the limit: {rows}")
    shutil.rmtree(shared, ignore_errors=True)

if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
print("page runs: ok")
