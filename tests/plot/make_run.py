#!/usr/bin/env python3
"""Fixture: one real `allocscope run --quick` of tiny.yaml with two
repetitions of every allocator, for the rendering tests to draw."""
import shutil
import subprocess
import sys

exe, yaml, out = sys.argv[1:4]
shutil.rmtree(out, ignore_errors=True)
proc = subprocess.run([exe, "run", "--quick", "-r", "2", "-a", "glibc,jemalloc,mimalloc,reference",
                       "-o", out, "--no-plots", yaml], capture_output=True, text=True)
sys.stderr.write(proc.stdout + proc.stderr)
if proc.returncode != 0:
    sys.exit(f"allocscope run exited {proc.returncode}")
