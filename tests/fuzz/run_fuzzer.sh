#!/bin/sh
# run_fuzzer.sh FUZZER SEEDS REGRESSIONS WORKDIR SECONDS
# First every input that once crashed (REGRESSIONS, committed), then
# SECONDS of fuzzing from the committed seeds plus what earlier runs in
# WORKDIR found. A crash leaves its input in WORKDIR/artifacts: copy it to
# REGRESSIONS (and fix the bug) so it is checked from then on.
set -u
fuzzer=$1 seeds=$2 regressions=$3 work=$4 seconds=${ALLOCSCOPE_FUZZ_SECONDS:-$5}
mkdir -p "$work/corpus" "$work/artifacts"
if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions" 2>/dev/null)" ]; then
    "$fuzzer" -runs=1 "$regressions"/* || { echo "FAIL: a regression input crashes again"; exit 1; }
fi
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds"
