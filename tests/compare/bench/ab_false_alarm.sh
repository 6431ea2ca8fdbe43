#!/bin/sh
# ab_false_alarm.sh ALLOCSCOPE N [ab options...] - false alarms of the
# paired verdict: N A/A runs of `allocscope ab LIB LIB` (one library under
# the names base and new; LIB=glibc unless set), each judged at the
# defaults (all key metrics, time figures included). Prints every flagged
# row, each run's largest time-figure change, and how many runs flagged
# anything. Reported in docs/ci.md, never asserted (timing-dependent).
set -u
allocscope=$1
n=$2
shift 2
lib=${LIB:-glibc}
work=$(mktemp -d "${TMPDIR:-/tmp}/allocscope-abfa.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
flagged=0
i=1
start=$(date +%s)
while [ "$i" -le "$n" ]; do
    "$allocscope" ab "$@" --no-plots -o "$work/$i" --json "$work/$i.json" "$lib" "$lib" \
        >"$work/$i.txt" 2>"$work/$i.err"
    rc=$?
    [ -s "$work/$i.json" ] || { echo "run $i: exit $rc, no verdict"; cat "$work/$i.err"; exit 2; }
    rows=$(jq -r '.rows[] | select(.verdict == "regressed" or .verdict == "improved") |
        "    \(.verdict) \(.workload) \(.metric) \(.change) p=\(.p)"' "$work/$i.json")
    worst=$(jq -r '[.rows[] | select(.class == "time" and .change_pct != null)] |
        if length == 0 then "no time figures" else
        (max_by(if .change_pct < 0 then -.change_pct else .change_pct end) |
        "largest time change: \(.workload) \(.metric) \(.change)") end' "$work/$i.json")
    if [ "$rc" -ne 0 ] || [ -n "$rows" ]; then
        flagged=$((flagged + 1))
        echo "run $i: exit $rc, flagged; $worst"
        [ -n "$rows" ] && echo "$rows"
    else
        echo "run $i: clean; $worst"
    fi
    if [ -n "${KEEP:-}" ]; then
        mkdir -p "$KEEP" && mv "$work/$i" "$work/$i.json" "$KEEP/"
    fi
    rm -rf "$work/$i"
    i=$((i + 1))
done
echo "false alarms: $flagged of $n A/A runs flagged anything ($(( $(date +%s) - start )) s)"
