"""Shared by the variants tests: run allocscope, read its results, count
failures. argv: ALLOCSCOPE SOURCE_DIR DELAY_SHIM WORK_DIR."""
import csv
import json
import os
import shutil
import subprocess
import sys

exe, src, shim, work = sys.argv[1:5]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)
    return cond


def run(*args, env=None, timeout=600):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout,
                          env=e)


def workload(name):
    return os.path.join(src, "workloads", name + ".yaml")


def write(name, text):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def rows(run_dir):
    with open(os.path.join(run_dir, "summary.csv")) as f:
        return list(csv.DictReader(f))


def meta(run_dir):
    with open(os.path.join(run_dir, "run.json")) as f:
        return json.load(f)


def finish():
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("PASS")
