#!/bin/sh
# ab_detection.sh BUILD_DIR TRIALS SPIN... - how reliably the paired verdict
# (`allocscope ab`) flags a known slowdown. BASE and NEW are both
# build/lib/libcompare_delay_shim.so (glibc behind a shim), BASE with
# ALLOCSCOPE_SHIM_SPIN=0 and NEW with SPIN iterations of an empty loop in
# every malloc (about 3 instructions each). For each SPIN, TRIALS runs;
# prints per workload and metric the median change measured (the
# Hodges-Lehmann estimate) and how many trials flagged a regression.
# Environment: WORKLOADS (default churn-small, swiss-cheese,
# empirical-profile), AB_OPTS (e.g. "--quick -r 15", "--instructions"),
# METRICS (default throughput,cpu_throughput), KEEP (a folder to keep the
# runs in). Reported in docs/ci.md,
# never asserted (timing-dependent).
set -u
build=$1
trials=$2
shift 2
allocscope=$build/bin/allocscope
shim=$(cd "$build/lib" && pwd)/libcompare_delay_shim.so
src=$(cd "$(dirname "$0")/../../.." && pwd)
[ -f "$shim" ] || { echo "build the compare_delay_shim target first"; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/allocscope-abdet.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
workloads=${WORKLOADS:-"$src/workloads/churn-small.yaml $src/workloads/swiss-cheese.yaml $src/workloads/empirical-profile.yaml"}
metrics=${METRICS:-throughput,cpu_throughput}
start=$(date +%s)
for spin in "$@"; do
    t=1
    while [ "$t" -le "$trials" ]; do
        # shellcheck disable=SC2086
        "$allocscope" ab ${AB_OPTS:-} --no-plots -o "$work/run" --metric "$metrics" \
            --json "$work/r.json" --env base:ALLOCSCOPE_SHIM_SPIN=0 \
            --env "new:ALLOCSCOPE_SHIM_SPIN=$spin" "$shim" "$shim" $workloads \
            >/dev/null 2>"$work/err"
        [ -s "$work/r.json" ] || { echo "spin $spin trial $t: no verdict"; cat "$work/err"; exit 2; }
        jq -r --arg s "$spin" '.rows[] | select(.metric != null) |
            [$s, .workload, .metric, (.change_pct // "nan"), .verdict] | @tsv' \
            "$work/r.json" >>"$work/all.tsv"
        if [ -n "${KEEP:-}" ]; then # the runs, to judge again with other settings
            mkdir -p "$KEEP" && mv "$work/run" "$KEEP/spin$spin-$t"
        fi
        rm -rf "$work/run" "$work/r.json"
        t=$((t + 1))
    done
done
echo "spin workload metric median_change flagged_regressed/trials"
cut -f1-3 "$work/all.tsv" | sort -u -k1,1n -k2,2 -k3,3 | while IFS="$(printf '\t')" read -r s w m; do
    awk -F'\t' -v s="$s" -v w="$w" -v m="$m" '$1 == s && $2 == w && $3 == m' "$work/all.tsv" >"$work/key.tsv"
    n=$(wc -l <"$work/key.tsv")
    f=$(awk -F'\t' '$5 == "regressed"' "$work/key.tsv" | wc -l)
    med=$(cut -f4 "$work/key.tsv" | sort -g | awk '{ v[NR] = $1 } END {
        print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    printf '%s\t%s\t%s\t%+.2f%%\t%d/%d\n' "$s" "$w" "$m" "$med" "$f" "$n"
done
echo "($(( $(date +%s) - start )) s)"
