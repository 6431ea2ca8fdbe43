#!/bin/sh
# ci_baseline.sh ALLOCSCOPE SOURCE_DIR - the project's own regression guard:
# run the quick single-threaded workloads and compare their memory figures
# (exactly repeatable here) with the committed baseline results/baselines/quick.
# A change that breaks measurement (heap, break or fragmentation figures
# moving) fails this test. Time figures are not judged: quick workloads are
# too short to time on a shared 2-core machine (docs/ci.md, "Measured").
#
# Only like is compared with like: --force-machine lets a CI machine other
# than the one that made the baseline judge it, but a (workload, allocator)
# whose op stream, spec or allocator version differs from the baseline's is
# not comparable, never "unchanged". The test fails when nothing at all is
# comparable (a stale baseline: refresh it, docs/ci.md says how), when any
# figure moved, and when either run is incomplete.
set -u
allocscope=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/allocscope-cibase.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
w=$src/workloads
"$allocscope" run --quick -r 5 -a glibc,jemalloc,mimalloc --no-plots -o "$work/quick" \
    "$w/churn-small.yaml" "$w/swiss-cheese.yaml" "$w/large-blocks.yaml" \
    "$w/realloc-growth.yaml" "$w/grow-churn-shrink.yaml" "$w/empirical-profile.yaml" \
    "$w/brk-textbook.yaml" >"$work/run.log" 2>&1 || { cat "$work/run.log"; exit 1; }
base=$src/results/baselines/quick
"$allocscope" compare --force-machine --metric peak_heap,brk,frag "$base" "$work/quick" \
    >"$work/cmp.txt" 2>&1
rc=$?
tail -n 25 "$work/cmp.txt"
# "result: R regressed, I improved, U unchanged, N not comparable"
set -- $(sed -n 's/^result: \([0-9]*\) regressed, \([0-9]*\) improved, \([0-9]*\) unchanged, \([0-9]*\) not comparable$/\1 \2 \3 \4/p' "$work/cmp.txt")
if [ $# -ne 4 ]; then
    echo "FAIL: compare printed no result line (exit $rc)"
    exit 1
fi
regressed=$1 improved=$2 unchanged=$3 not_comparable=$4
judged=$((regressed + improved + unchanged))
echo "judged $judged of $((judged + not_comparable)) rows against the baseline"
if [ "$judged" -eq 0 ]; then
    echo "FAIL: nothing is comparable with results/baselines/quick (its op streams, specs or"
    echo "      allocator versions differ from this build's): refresh it as docs/ci.md says"
    exit 1
fi
if [ "$not_comparable" -gt 0 ]; then
    echo "note: $not_comparable rows not comparable with the baseline (reasons above): only the"
    echo "      $judged comparable rows were judged"
fi
if [ "$rc" -ne 0 ] || [ "$regressed" -ne 0 ] || [ "$improved" -ne 0 ]; then
    echo "FAIL: memory figures differ from the committed baseline (exit $rc)"
    exit 1
fi
echo "PASS: memory figures match the committed baseline"
