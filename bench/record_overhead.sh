#!/bin/sh
# record_overhead.sh BUILD_DIR [PAIRS] - the recorder's cost on real
# programs (README, Performance): python3 running workloads/traces/
# python3-json.py with pymalloc (its default) and with every object
# through malloc, and sort on 300,000 generated lines. Each is the ratio of
# the median wall times of PAIRS interleaved runs with and without
# `allocscope record`, and the trace's bytes per event (zstd level 1, the
# default). A benchmark: it prints figures and asserts nothing.
set -eu
build=$(cd "$1" && pwd)
pairs=${2:-11}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/allocscope-record-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C PYTHONHASHSEED=0
python3 - "$work/lines.txt" <<'PY'
import random, sys
rng = random.Random(7)
with open(sys.argv[1], "w") as f:
    for i in range(300_000):
        f.write(f"{rng.randrange(10**9)} {'qwertyuiopasdfghjkl'[rng.randrange(19):][:rng.randrange(1, 8)]} {i}\n")
PY
over=$build/bin/allocscope-overhead
echo "### python3 (pymalloc)"
"$over" record -r "$pairs" /usr/bin/python3 "$here/workloads/traces/python3-json.py"
echo "### python3 (PYTHONMALLOC=malloc)"
PYTHONMALLOC=malloc "$over" record -r "$pairs" /usr/bin/python3 "$here/workloads/traces/python3-json.py"
echo "### sort"
"$over" record -r "$pairs" /usr/bin/sort -n "$work/lines.txt"
