#!/usr/bin/env python3
"""Allocator variants: an env setting really reaches the worker, bad ones are
refused before anything runs, duplicate names are refused."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (check, finish, meta, rows, run, work, workload, write)  # noqa: E402

JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
if not os.path.exists(JEMALLOC):
    JEMALLOC = os.path.realpath("/usr/lib/aarch64-linux-gnu/libjemalloc.so.2")

registry = write("registry.yaml", """allocators:
  - name: glibc
    version: {glibc: gnu_get_libc_version}
    stats: glibc
  - name: glibc-pad0
    version: {glibc: gnu_get_libc_version}
    stats: glibc
    env: {GLIBC_TUNABLES: glibc.malloc.top_pad=0}
  - name: jemalloc
    library: libjemalloc.so.2
    version: {mallctl: version}
    stats: jemalloc
  - name: je1
    library: libjemalloc.so.2
    version: {mallctl: version}
    stats: jemalloc
    env: {MALLOC_CONF: "narenas:1"}
""")

# --- settings reach the worker ------------------------------------------
out = os.path.join(work, "env-run")
p = run("run", "--registry", registry, "-a", "glibc,glibc-pad0,jemalloc,je1,je3=jemalloc",
        "--env", "je3:MALLOC_CONF=narenas:3", "-r", "2", "--quick", "--no-plots", "-o", out,
        workload("brk-textbook"))
check(p.returncode == 0, f"run with variants exits 0 (got {p.returncode}: {p.stderr})")
by = {}
for r in rows(out):
    check(r["status"] == "ok", f"{r['allocator']} rep {r['rep']}: {r['status']} {r['reason']}")
    by.setdefault(r["allocator"], []).append(r)


def narenas(r):
    for kv in r["allocator_stats"].split(";"):
        k, _, v = kv.partition("=")
        if k == "jemalloc.opt.narenas":
            return int(v)
    return None


# jemalloc's own mallctl("opt.narenas") is the witness: 1 and 3 as set,
# its default (4 per CPU) otherwise.
ncpu = os.cpu_count()
for r in by.get("je1", []):
    check(narenas(r) == 1, f"MALLOC_CONF=narenas:1 seen by jemalloc: {r['allocator_stats']}")
for r in by.get("je3", []):
    check(narenas(r) == 3, f"--env je3:MALLOC_CONF=narenas:3 seen: {r['allocator_stats']}")
for r in by.get("jemalloc", []):
    check(narenas(r) == 4 * ncpu, f"plain jemalloc keeps its default: {r['allocator_stats']}")
# glibc's top pad is the textbook 128 KiB + a page of break growth for the
# first small malloc; with top_pad=0 the break grows by the request only.
for r in by.get("glibc", []):
    check(r["peak_brk_bytes"] == "135168", f"glibc break +135168: {r['peak_brk_bytes']}")
for r in by.get("glibc-pad0", []):
    check(0 < int(r["peak_brk_bytes"]) < 135168,
          f"GLIBC_TUNABLES=glibc.malloc.top_pad=0 shrinks the break: {r['peak_brk_bytes']}")

# run.json: where each variant was defined, its settings, the worker's env.
allocs = {a["name"]: a for a in meta(out)["allocators"]}
check(allocs["je1"]["env"] == {"MALLOC_CONF": "narenas:1"}, f"je1 env: {allocs['je1']}")
check(allocs["je1"]["defined_at"].startswith(registry + ":"), "je1 defined_at FILE:LINE:COL")
check(allocs["je1"]["worker_env"].get("MALLOC_CONF") == "narenas:1" and
      allocs["je1"]["worker_env"].get("LD_PRELOAD", "").endswith("libjemalloc.so.2"),
      f"je1 worker_env: {allocs['je1']['worker_env']}")
check(allocs["je3"]["env"] == {"MALLOC_CONF": "narenas:3"} and
      "command line" in allocs["je3"]["defined_at"], f"je3: {allocs['je3']}")
check(allocs["glibc-pad0"]["worker_env"].get("GLIBC_TUNABLES") == "glibc.malloc.top_pad=0" and
      "LD_PRELOAD" not in allocs["glibc-pad0"]["worker_env"], "glibc-pad0 worker_env")
check(allocs["glibc"]["env"] == {}, "glibc has no env")

# An inherited setting does not leak into a variant that sets its own, and
# is recorded where it is inherited.
out = os.path.join(work, "inherit")
p = run("run", "--registry", registry, "-a", "jemalloc,je1", "-r", "1", "--quick",
        "--no-plots", "-o", out, workload("brk-textbook"), env={"MALLOC_CONF": "narenas:2"})
check(p.returncode == 0, f"run with MALLOC_CONF inherited: {p.stderr}")
for r in rows(out):
    want = 1 if r["allocator"] == "je1" else 2
    check(narenas(r) == want, f"{r['allocator']}: narenas {narenas(r)}, want {want}")
allocs = {a["name"]: a for a in meta(out)["allocators"]}
check(allocs["jemalloc"]["worker_env"].get("MALLOC_CONF") == "narenas:2",
      "inherited MALLOC_CONF recorded in worker_env")

# An ad-hoc library by path, with a setting.
out = os.path.join(work, "adhoc")
p = run("run", "-a", f"mine={JEMALLOC}", "--env", "mine:MALLOC_CONF=narenas:2", "-r", "1",
        "--quick", "--no-plots", "-o", out, workload("brk-textbook"))
check(p.returncode == 0, f"ad-hoc library runs: {p.stderr}")
r = rows(out)[0]
check(r["allocator"] == "mine" and r["served_by"] == os.path.realpath(JEMALLOC),
      f"served by the given library: {r['served_by']}")

# --- refused before anything runs (exit 2, no run directory) -------------
def refused(args, text, what, env=None):
    out = os.path.join(work, "never")
    p = run("run", "--quick", "--no-plots", "-o", out, *args, workload("brk-textbook"), env=env)
    check(p.returncode == 2, f"{what}: exit {p.returncode}, want 2 ({p.stderr.strip()})")
    check(text in p.stderr, f"{what}: message {p.stderr.strip()!r} lacks {text!r}")
    check(not os.path.exists(out), f"{what}: nothing is run")


refused(["-a", "glibc,glibc"], "allocator 'glibc' is given twice", "duplicate -a")
refused(["-a", "a=glibc,a=jemalloc"], "allocator 'a' is given twice", "duplicate new name")
refused(["-a", f"glibc={JEMALLOC}"], "'glibc' is a registry allocator's name",
        "a new name that is a registry name")
refused(["-a", "x=nosuch"], "neither a registry allocator nor a path", "unknown target")
refused(["-a", "Bad=glibc"], "invalid name 'Bad'", "bad variant name")
refused(["-a", "x=glibc", "--env", "y:A=1"], "'y' is not an allocator of this run",
        "--env for an allocator not in the run")
refused(["-a", "x=glibc", "--env", "x:1A=1"], "'1A' is not an environment variable name",
        "bad env name")
refused(["-a", "x=glibc", "--env", "x:LD_PRELOAD=/tmp/x.so"], "LD_PRELOAD is set by",
        "LD_PRELOAD as a setting")
refused(["-a", "x=glibc", "--env", "x:GLIBC_TUNABLES=glibc.malloc.arena_maxx=1"],
        "did you mean 'glibc.malloc.arena_max'", "misspelt tunable")
refused(["-a", "x=glibc", "--env", "x:GLIBC_TUNABLES=glibc.malloc.arena_max=0"],
        "must be in 1..", "tunable out of range")
refused(["-a", "x=glibc", "--env", "x:MALLOC_CONF=narenas"], "expected key:value",
        "malformed MALLOC_CONF")
refused(["-a", "x=jemalloc", "--env", "x:MALLOC_CONF=narenax:1"],
        "rejects MALLOC_CONF=narenax:1: <jemalloc>: Invalid conf pair", "jemalloc's own refusal")
bad = write("bad.yaml", """allocators:
  - name: je
    library: libjemalloc.so.2
    env:
      MALLOC_CONF: "narenas:x"
""")
refused(["--registry", bad, "-a", "je"], f"{bad}:5:20: allocator je rejects",
        "a registry value the allocator rejects: FILE:LINE:COL")
bad = write("bad2.yaml", """allocators:
  - name: g
    env: {GLIBC_TUNABLES: "glibc.malloc.tcache_count=lots"}
""")
refused(["--registry", bad, "-a", "g"], f"{bad}:3:27: GLIBC_TUNABLES: "
        "glibc.malloc.tcache_count must be a number", "registry tunable value: FILE:LINE:COL")

for cmd in ["ab", "merge", "compare"]:
    p = run(cmd, "--help")
    check(p.returncode == 0 and "usage: allocscope " + cmd in p.stdout, f"{cmd} --help")
finish()
