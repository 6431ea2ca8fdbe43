#!/bin/sh
# false_alarm.sh ALLOCSCOPE N [run options...] - the false-alarm rate of
# `allocscope compare` at its default thresholds: N pairs of back-to-back
# runs of the same build (default: the whole quick suite, 5 repetitions),
# each pair compared; prints every flagged row and how many pairs flagged
# anything. Reported in docs/ci.md, never asserted (timing-dependent).
set -u
allocscope=$1
n=$2
shift 2
[ $# -gt 0 ] || set -- --quick --reps 5
work=$(mktemp -d "${TMPDIR:-/tmp}/allocscope-falsealarm.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
flagged=0
i=1
while [ "$i" -le "$n" ]; do
    for side in a b; do
        "$allocscope" run "$@" --no-plots --out "$work/$i$side" >/dev/null 2>&1
        rc=$?
        [ "$rc" -eq 0 ] || { echo "pair $i: run $side exited $rc"; exit 2; }
    done
    "$allocscope" compare "$work/${i}a" "$work/${i}b" >"$work/$i.txt" 2>&1
    rc=$?
    verdicts=$(grep -E '^(regressed|improved) ' "$work/$i.txt")
    if [ "$rc" -ne 0 ] || [ -n "$verdicts" ]; then
        flagged=$((flagged + 1))
        echo "pair $i: exit $rc"
        echo "$verdicts" | sed 's/^/    /'
    else
        echo "pair $i: clean ($(tail -1 "$work/$i.txt"))"
    fi
    if [ -n "${KEEP:-}" ]; then
        mkdir -p "$KEEP" && mv "$work/${i}a" "$work/${i}b" "$KEEP/"
    else
        rm -rf "$work/${i}a" "$work/${i}b"
    fi
    i=$((i + 1))
done
echo "false alarms: $flagged of $n pairs flagged anything (regressed or improved)"
