#!/usr/bin/env python3
"""The command-line contract: --help everywhere, exit statuses, errors before
anything runs, failed/timed-out/interrupted runs keep what they measured."""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

exe, work = sys.argv[1], sys.argv[2]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)


def run(*args, timeout=300):
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout)


def write(name, text):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# --help on every command, --version, unknown commands.
for cmd in ["run", "check", "list", "record", "trace"]:
    p = run(cmd, "--help")
    check(p.returncode == 0 and "usage: allocscope " + cmd in p.stdout, f"{cmd} --help")
for sub in ["info", "fit"]:
    p = run("trace", sub, "--help")
    check(p.returncode == 0 and "usage: allocscope trace " + sub in p.stdout, f"trace {sub} --help")
check(run("record").returncode == 2, "record without a program exits 2")
check(run("trace", "frobnicate", "x").returncode == 2, "trace: unknown subcommand exits 2")
check(run("trace", "info").returncode == 2, "trace info without a file exits 2")
p = run("--version")
check(p.returncode == 0 and p.stdout.startswith("allocscope "), "--version")
check(run("frobnicate").returncode == 2, "unknown command exits 2")
check(run().returncode == 2, "no command exits 2")
check(run("run", "--reps", "zero").returncode == 2, "bad option value exits 2")

# Invalid input: FILE:LINE:COL, exit 2, nothing run (no run directory).
bad = write("bad.yaml", "workload:\n  name: x\n  ops: 10\n  sizes: -5\n")
out = os.path.join(work, "never")
p = run("run", "-o", out, bad)
check(p.returncode == 2, f"invalid workload exits 2 (got {p.returncode})")
check(p.stderr.startswith(bad + ":4:"), f"error names FILE:LINE:COL: {p.stderr!r}")
check(not os.path.exists(out), "nothing is run for invalid input")
p = run("run", "-a", "glibc,nosuch", "-o", out)
check(p.returncode == 2 and "nosuch" in p.stderr, "unknown allocator exits 2")
check(not os.path.exists(out), "nothing is run for an unknown allocator")
p = run("check", bad)
check(p.returncode == 2 and p.stderr.startswith(bad + ":4:"), "check reports FILE:LINE:COL")

# list: allocators with availability, library and version; shipped workloads.
p = run("list")
check(p.returncode == 0, "list exits 0")
for name in ["glibc", "jemalloc", "mimalloc", "tcmalloc", "reference", "churn-small", "brk-textbook"]:
    check(name in p.stdout, f"list shows {name}")
check("libjemalloc.so.2" in p.stdout, "list shows library paths")

# A registry with an allocator that is not installed, and one that does not
# override malloc: the first is skipped with an install hint, the second
# fails verification; the suite goes on and exits 3.
reg = write("registry.yaml", """allocators:
  - name: glibc
    version: {glibc: gnu_get_libc_version}
  - name: missing
    library: libdoesnotexist.so.7
    package: libdoesnotexist7
  - name: fake
    library: libyaml-0.so.2
""")
small = write("small.yaml", """workload:
  name: small
  ops: 2000
  sizes: 64
  live: {objects: 100}
""")
p = run("list", "--registry", reg)
check("apt-get install libdoesnotexist7" in p.stdout, f"unavailable allocator says what to install: {p.stdout}")
out = os.path.join(work, "mixed")
p = run("run", "--registry", reg, "-a", "glibc,missing,fake", "-r", "2", "-o", out, "--no-plots", small)
check(p.returncode == 3, f"failed runs exit 3 (got {p.returncode}): {p.stderr}")
rows = list(csv.DictReader(open(os.path.join(out, "summary.csv"))))
status = {(r["allocator"], r["rep"]): r for r in rows}
check(len(rows) == 6, f"a row for every run ({len(rows)})")
check(all(status[("glibc", k)]["status"] == "ok" for k in "12"), "glibc ok")
check(all(status[("missing", k)]["status"] == "skipped" for k in "12"), "missing skipped")
check(all(status[("fake", k)]["status"] == "failed" and "verification failed" in status[("fake", k)]["reason"]
          for k in "12"), "fake fails verification")
check(status[("missing", "1")]["dtlb_load_misses"] == "" and status[("missing", "1")]["ops"] == "",
      "skipped rows leave figures empty")

# A run that outlives its timeout: status timeout, its samples kept, exit 3.
# Slow per op (each op writes 4 MiB), not big: a small op stream and at most
# a few objects live, so the test needs little memory however slow it is.
slow = write("slow.yaml", """workload:
  name: slow
  ops: 200000
  sizes: 4MiB
  live: {objects: 4}
  touch: all
""")
out = os.path.join(work, "timeout")
p = run("run", "-a", "glibc", "-r", "1", "--timeout", "1.5", "-o", out, "--no-plots", slow)
check(p.returncode == 3, f"timeout exits 3 (got {p.returncode})")
rows = list(csv.DictReader(open(os.path.join(out, "summary.csv"))))
check(rows and rows[0]["status"] == "timeout", f"status timeout: {rows}")
samples = list(csv.DictReader(open(os.path.join(out, "samples", "slow", "glibc-1.csv"))))
check(len(samples) > 5, f"samples measured before the timeout are kept ({len(samples)})")
meta = json.load(open(os.path.join(out, "run.json")))
check(meta["workloads"][0]["ops"] < 1000000, "the slow workload's stream is small")

# Interrupted: rows so far stay, run.json says interrupted, exit 130.
out = os.path.join(work, "interrupted")
proc = subprocess.Popen([exe, "run", "-a", "glibc,jemalloc", "-r", "50", "-o", out, "--no-plots", small],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
summary = os.path.join(out, "summary.csv")
deadline = time.time() + 60
while time.time() < deadline:
    if os.path.exists(summary) and len(open(summary).read().splitlines()) > 3:
        break
    time.sleep(0.02)
proc.send_signal(signal.SIGINT)
proc.wait(timeout=60)
check(proc.returncode == 130, f"interrupted exits 130 (got {proc.returncode})")
meta = json.load(open(os.path.join(out, "run.json")))
check(meta["status"] == "interrupted", f"run.json status {meta['status']}")
rows = list(csv.DictReader(open(summary)))
check(len(rows) >= 2 and all(r["status"] == "ok" for r in rows[:2]), "finished rows are kept")
check(all(r["status"] in ("ok", "interrupted") for r in rows), "no row of it says failed")

# An existing run directory is never overwritten.
p = run("run", "-a", "glibc", "-r", "1", "-o", os.path.join(work, "mixed"), small)
check(p.returncode == 2 and "already holds a run" in p.stderr, "refuses to overwrite a run")

# SIGTERM is 143 and SIGHUP 129 (tests/faults/test_signals.py checks what
# survives); here only the contract of the exit status and the row.
for sig, code in [(signal.SIGTERM, 143), (signal.SIGHUP, 129)]:
    out = os.path.join(work, "sig-" + sig.name)
    proc = subprocess.Popen([exe, "run", "-a", "glibc", "-r", "1", "-o", out, "--no-plots", slow],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    samples_dir = os.path.join(out, "samples", "slow")
    deadline = time.time() + 60
    while time.time() < deadline and not os.path.isdir(samples_dir):
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    check(proc.returncode == code, f"{sig.name} exits {code} (got {proc.returncode})")
    rows = list(csv.DictReader(open(os.path.join(out, "summary.csv"))))
    check(rows and rows[0]["status"] == "interrupted", f"{sig.name}: the row says interrupted: {rows[:1]}")

print(f"{len(failures)} failed checks" if failures else "all checks passed")
sys.exit(1 if failures else 0)
