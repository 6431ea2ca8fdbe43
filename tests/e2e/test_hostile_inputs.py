#!/usr/bin/env python3
"""Hostile input, as a user or a CI script with a bug would give it: every
case gets a clear error that says where and what, exit 2, nothing run, no
file written outside where it should be, nothing hanging.

 - output paths: empty (an unset variable), the root, an existing file, a
   non-empty directory;
 - command-line values beyond what YAML accepts (--timeout inf, --reps +5,
   -a glibc,glibc, -a glibc,, --memory-limit 1MB);
 - names '.' and '..', a denormal weight, a directory, a FIFO and a device
   where files are expected (include, summary.csv, run.json);
 - results edited by hand: short, cut or padded rows, hex, exponents,
   negative byte counts, duplicate rows, a byte-order mark;
 - compare and baseline against an interrupted run;
 - a registry value written to break out of a shell command;
 - a run where every allocator is unavailable (nothing measured)."""
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

exe, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr, flush=True)
    return cond


def run(*args, cwd=None, timeout=120):
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def write(name, text):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


small = write("small.yaml", "workload:\n  name: small\n  ops: 2000\n  sizes: 64\n  live: {objects: 100}\n")


def refused(args, words, what, cwd=None):
    p = run(*args, cwd=cwd)
    check(p.returncode == 2, f"{what}: exit 2 (got {p.returncode}): {p.stderr[-300:]}")
    check(words in p.stderr, f"{what}: the message says '{words}': {p.stderr[-300:]}")
    return p


# --- output paths -------------------------------------------------------
empty_cwd = os.path.join(work, "cwd")
os.makedirs(empty_cwd)
refused(["run", "-a", "glibc", "-r", "1", "-o", "", small], "empty string", "-o ''", cwd=empty_cwd)
check(os.listdir(empty_cwd) == [], "-o '': nothing written in the working directory")
check(not os.path.exists("/summary.csv") or os.path.getmtime("/summary.csv") < time.time() - 3600,
      "-o '': nothing written into the filesystem root")
refused(["run", "-a", "glibc", "-r", "1", "-o", "/", small], "is not empty", "-o /")
refused(["plot", "-o", "", empty_cwd], "empty path", "plot -o ''")
refused(["baseline", "--baselines", "", "save", "x", empty_cwd], "empty path", "baseline --baselines ''")
refused(["compare", "--baselines", "", "x", "y"], "empty path", "compare --baselines ''")
refused(["plot", "--history", "-o", "", empty_cwd], "empty path", "plot --history -o ''")
check(not os.path.exists("/plots") or os.path.getmtime("/plots") < time.time() - 3600,
      "plot -o '': nothing written into the filesystem root")
refused(["run", "-a", "glibc", "-r", "1", "-o", small, small], "not a directory", "-o FILE")
refused(["run", "-a", "glibc", "-r", "1", "-o", work, small], "is not empty", "-o NON-EMPTY-DIR")

# --- command line = YAML ------------------------------------------------
for args, words in [
    (["--timeout", "inf"], "timeout"), (["--timeout", "nan"], "timeout"),
    (["--timeout", "1e9"], "at most 604800"), (["--timeout", "0x10"], "expected a number"),
    (["--timeout", "0"], "above 0"), (["--reps", "+5"], "expected an integer"),
    (["--reps", "0"], "between 1 and 1000"), (["--reps", "1001"], "between 1 and 1000"),
    (["--memory-limit", "1MB"], "ambiguous"), (["--memory-limit", "8MiB"], "between 16777216"),
    (["-a", "glibc,glibc"], "given twice"), (["-a", "glibc,"], "empty allocator name"),
    (["-a", "GLIBC"], "invalid allocator name"),
]:
    refused(["run", "-o", os.path.join(work, "never"), *args, small], words, " ".join(args))
check(not os.path.exists(os.path.join(work, "never")), "nothing is run for a bad option")

# --- YAML: names, numbers, files that are not files ----------------------
for name in [".", ".."]:
    f = write("dot.yaml", f"workload:\n  name: '{name}'\n  ops: 10\n  sizes: 8\n")
    refused(["check", f], f"{f}:2:9: invalid workload name '{name}'", f"workload name {name}")
f = write("denormal.yaml", """workload:
  name: d
  ops: 10
  sizes: {dist: table, table: [{size: 8, weight: 1}, {size: 16, weight: 4.9e-324}]}
""")
p = refused(["check", f], "below the smallest normal number", "denormal weight")
check("at least 0" not in p.stderr and f"{f}:4:" in p.stderr, f"denormal: FILE:LINE:COL {p.stderr}")
d = os.path.join(work, "adir.yaml")
os.makedirs(d)
refused(["check", d], "is a directory", "a directory as a workload file")
fifo = os.path.join(work, "fifo.yaml")
os.mkfifo(fifo)
suite = write("suite.yaml", "suite:\n  name: s\n  workloads:\n    - include: fifo.yaml\n")
t0 = time.time()
refused(["check", suite], "is a FIFO, not a regular file", "a FIFO as an include")
refused(["check", fifo], "is a FIFO", "a FIFO as a workload file")
check(time.time() - t0 < 30, "a FIFO is never waited on")
refused(["check", "/dev/zero"], "character device", "/dev/zero as a workload file")

# --- a real run to damage ------------------------------------------------
good = os.path.join(work, "good")
p = run("run", "-a", "glibc,jemalloc", "-r", "2", "--no-plots", "-o", good, small)
check(p.returncode == 0, f"the reference run is ok: {p.stderr[-300:]}")
lines = open(os.path.join(good, "summary.csv")).read().splitlines(keepends=True)
header = lines[0].rstrip("\n").split(",")
col = {name: i for i, name in enumerate(header)}


def damaged(name, body):
    d = os.path.join(work, name)
    shutil.copytree(good, d)
    with open(os.path.join(d, "summary.csv"), "w") as f:
        f.write(body)
    return d


def cell(line, column, value):
    cells = next(csv.reader([line]))
    cells[col[column]] = value
    return ",".join(cells) + "\n"


row = lines[1]
cases = [
    ("short", lines[0] + ",".join(next(csv.reader([row]))[:10]) + "\n", ":2: 10 fields, the header has"),
    ("cut", lines[0] + lines[1] + lines[2][:40], ":3: the row is cut short"),
    ("hex", lines[0] + cell(row, "ops", "0x10"), ":2: ops '0x10'"),
    ("negative", lines[0] + cell(row, "peak_heap_bytes", "-1e22"), ":2: peak_heap_bytes '-1e22'"),
    ("inf", lines[0] + cell(row, "ops_per_s", "inf"), ":2: ops_per_s 'inf'"),
    # The first row's allocator is the first of a random order.
    ("duplicate", lines[0] + row + row,
     f":3: a second row for small x {next(csv.reader([row]))[1]} rep 1 (first at line 2)"),
    ("status", lines[0] + cell(row, "status", "great"), ":2: status 'great'"),
]
for name, body, words in cases:
    d = damaged(name, body)
    for cmd in (["compare", good, d], ["plot", "-q", d, "-o", os.path.join(work, "p-" + name)]):
        p = run(*cmd)
        check(p.returncode == 2 and os.path.join(d, "summary.csv") + words in p.stderr,
              f"{name} summary.csv, {cmd[0]}: exit 2 naming FILE:LINE ({p.returncode}): {p.stderr[-300:]}")
d = damaged("bom", "\ufeff" + "".join(lines))
p = run("compare", "--metric", "peak_heap", good, d)
check(p.returncode == 0 and "missing column" not in p.stderr,
      f"a byte-order mark is read past ({p.returncode}): {p.stderr[-300:]}")
for name, target, words in [("devzero", "/dev/zero", "character device"),
                            ("fifo-summary", None, "is a FIFO"), ("dir-summary", "DIR", "is a directory")]:
    d = os.path.join(work, name)
    shutil.copytree(good, d)
    os.unlink(os.path.join(d, "summary.csv"))
    if target == "DIR":
        os.makedirs(os.path.join(d, "summary.csv"))
    elif target:
        os.symlink(target, os.path.join(d, "summary.csv"))
    else:
        os.mkfifo(os.path.join(d, "summary.csv"))
    t0 = time.time()
    for cmd in (["compare", good, d], ["plot", "-q", d], ["baseline", "save", "--baselines",
                                                           os.path.join(work, "bl"), "x", d]):
        p = run(*cmd, timeout=60)
        check(p.returncode == 2 and "summary.csv" in p.stderr and words in p.stderr,
              f"{name}, {cmd[0]}: exit 2, '{words}': {p.stderr[-200:]}")
    check(time.time() - t0 < 30, f"{name}: nothing waits or reads without bound")
d = os.path.join(work, "fifo-json")
shutil.copytree(good, d)
os.unlink(os.path.join(d, "run.json"))
os.mkfifo(os.path.join(d, "run.json"))
p = run("compare", good, d, timeout=60)
check(p.returncode == 2 and "run.json: is a FIFO" in p.stderr, f"run.json FIFO: {p.stderr[-200:]}")

# --- an interrupted run: compare and baseline say so ---------------------
out = os.path.join(work, "interrupted")
proc = subprocess.Popen([exe, "run", "-a", "glibc,jemalloc", "-r", "50", "-o", out, "--no-plots", small],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
summary = os.path.join(out, "summary.csv")
deadline = time.time() + 60
while time.time() < deadline and not (os.path.exists(summary) and len(open(summary).read().splitlines()) > 5):
    time.sleep(0.02)
proc.send_signal(signal.SIGINT)
proc.wait(timeout=60)
p = run("compare", "--metric", "peak_heap", good, out)
check(p.returncode == 2 and "NEW is incomplete (its status is 'interrupted'" in p.stderr,
      f"compare against an interrupted run exits 2 and says so ({p.returncode}): {p.stderr[-300:]}")
check("PARTIAL" in p.stdout, "the table says PARTIAL")
p = run("compare", "--allow-partial", "--metric", "peak_heap", good, out)
check(p.returncode == 0 and "allowed" in p.stderr, f"--allow-partial accepts it ({p.returncode})")
p = run("compare", "-f", "json", "--metric", "peak_heap", good, out)
check(json.loads(p.stdout).get("partial", "").startswith("NEW is incomplete"), "the JSON report says partial")
p = run("baseline", "save", "--baselines", os.path.join(work, "bl"), "x", out)
check(p.returncode == 2 and "not a complete run" in p.stderr, f"baseline save refuses it: {p.stderr[-200:]}")
meta = json.load(open(os.path.join(good, "run.json")))
meta["status"] = "running"
d = os.path.join(work, "running")
shutil.copytree(good, d)
json.dump(meta, open(os.path.join(d, "run.json"), "w"))
p = run("baseline", "save", "--baselines", os.path.join(work, "bl"), "x", d)
check(p.returncode == 2 and "status is 'running'" in p.stderr, "baseline save refuses a running run")

# --- no shell: a registry value crafted to break out of one --------------
pwned = os.path.join(work, "pwned")
reg = write("evil.yaml", f"""allocators:
  - name: evil
    library: libc.so.6
    version: {{string_function: "x'; touch {pwned}; echo '"}}
""")
for cmd in (["list", "--registry", reg], ["run", "--registry", reg, "-a", "evil", "-r", "1", "-o",
                                          os.path.join(work, "evil-run"), small]):
    p = run(*cmd)
    check(p.returncode == 2 and f"{reg}:4:" in p.stderr and "C symbol" in p.stderr,
          f"{cmd[0]}: the registry value is refused with FILE:LINE:COL: {p.stderr[-200:]}")
check(not os.path.exists(pwned), "no command ran from a registry value")
sources = []
for root, _, files in os.walk(os.path.join(src, "harness")):
    sources += [os.path.join(root, f) for f in files if f.endswith((".c", ".h"))]
# Calls, not definitions: the recorder defines execl/execlp (interposed, to
# end a trace before the image is replaced) and runs nothing itself.
shellish = re.compile(r"(?<!int )\b(popen|system|execl|execlp)\s*\(|/bin/sh|\"sh\"")
hits = [f for f in sources if shellish.search(open(f).read())]
check(hits == [], f"no shell in the harness sources: {hits}")

# --- nothing measured -----------------------------------------------------
reg = write("missing.yaml", "allocators:\n  - name: missing\n    library: libdoesnotexist.so.7\n")
p = run("run", "--registry", reg, "-a", "missing", "-r", "1", "-o", os.path.join(work, "skipped"), small)
check(p.returncode == 3 and "nothing was measured" in p.stderr,
      f"an all-skipped run exits 3 and says nothing was measured ({p.returncode})")

print(f"{len(failures)} failed checks" if failures else "all checks passed")
sys.exit(1 if failures else 0)
