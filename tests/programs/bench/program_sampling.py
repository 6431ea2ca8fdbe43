#!/usr/bin/env python3
"""Benchmark (reported, not asserted) of allocscope's program runner:

1. sampling overhead on the measured program: wall time with 10 ms
   sampling vs none, as the ratio of medians over interleaved runs;
2. peak RSS (wait4 ru_maxrss, summary column peak_rss_bytes) vs GNU time's
   maxrss (/usr/bin/time -f %M) on the shipped programs, same allocator.

usage: program_sampling.py BUILD_DIR [REPS]   (needs python3, GNU time)
Run from the repository root. Prints a table; exits 0 whatever it finds.
"""
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

build = os.path.abspath(sys.argv[1])
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 7
exe = os.path.join(build, "bin", "allocscope")
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
work = tempfile.mkdtemp(prefix="allocscope-bench-")
libs = {"glibc": "", "jemalloc": "libjemalloc.so.2", "mimalloc": "libmimalloc.so.2"}

# The shipped programs, as commands run directly (their data made once).
numbers = os.path.join(work, "numbers.txt")
subprocess.run(["awk", 'BEGIN { srand(1); for (i = 0; i < 200000; i++) print int(rand() * 1e9) > "%s" }'
                % numbers], check=True)
programs = {
    "python-dict": [["/usr/bin/python3", "workloads/programs/dict_sort.py", "400000"], root],
    "sort-numbers": [["sort", "-n", numbers], root],
    "gcc-compile": [["gcc", "-O2", "-std=gnu11", "-c", "harness/spec/spec_program.c", "-I",
                     "harness/spec", "-I", "harness/common", "-o", os.path.join(work, "x.o")], root],
}


def exec_run(name, argv, cwd, alloc, interval, n):
    out = os.path.join(work, f"run-{name}-{alloc}-{interval}-{n}")
    subprocess.run([exe, "exec", "-a", alloc, "-r", "1", "-o", out, "--no-plots", "--sample-interval",
                    interval, "--", *argv], cwd=cwd, capture_output=True, check=False)
    with open(os.path.join(out, "summary.csv")) as f:
        row = next(csv.DictReader(f))
    shutil.rmtree(out)
    return row


print("# 1. sampling overhead: wall_s with --sample-interval 10ms vs none, interleaved,"
      f" {reps} runs each, glibc")
print(f"# command: {exe} exec -a glibc -r 1 --sample-interval {{10ms|none}} -- PROG")
print("program        median_10ms_s  median_none_s  ratio   samples_per_run")
for name, (argv, cwd) in programs.items():
    on, off, samples = [], [], []
    for n in range(reps):
        r = exec_run(name, argv, cwd, "glibc", "10ms", n)
        on.append(float(r["wall_s"]))
        samples.append(int(r["samples"]))
        off.append(float(exec_run(name, argv, cwd, "glibc", "none", n)["wall_s"]))
    print(f"{name:14} {statistics.median(on):13.4f}  {statistics.median(off):13.4f}  "
          f"{statistics.median(on) / statistics.median(off):6.4f}  {statistics.median(samples):.0f}")

print()
print(f"# 2. peak RSS: allocscope peak_rss_bytes vs /usr/bin/time -f %M, medians of {min(reps, 5)}")
print("# command: env LD_PRELOAD=LIB /usr/bin/time -f %M PROG  vs  allocscope exec -a ALLOC -- PROG")
print("program        allocator  allocscope_KiB  gnu_time_KiB  diff_%   tree_peak_KiB")
for name, (argv, cwd) in programs.items():
    for alloc, lib in libs.items():
        ours, theirs, tree = [], [], []
        for n in range(min(reps, 5)):
            r = exec_run(name, argv, cwd, alloc, "10ms", n)
            ours.append(int(r["peak_rss_bytes"]) / 1024)
            tree.append(int(r["tree_peak_rss_bytes"]) / 1024)
            env = dict(os.environ)
            env.pop("LD_PRELOAD", None)
            if lib:
                env["LD_PRELOAD"] = lib
            p = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], cwd=cwd, env=env,
                               capture_output=True, text=True)
            theirs.append(int(p.stderr.strip().splitlines()[-1]))
        a, b = statistics.median(ours), statistics.median(theirs)
        print(f"{name:14} {alloc:10} {a:14.0f}  {b:12.0f}  {100 * (a - b) / b:+6.2f}  {statistics.median(tree):13.0f}")
shutil.rmtree(work)
