#!/bin/sh
# detection.sh BUILD_DIR SOURCE_DIR TRIALS DELAY_NS... - how small a
# slowdown `allocscope compare` flags with 5 repetitions at its default
# thresholds. For each delay, TRIALS pairs of back-to-back runs: BASE is
# glibc, NEW is glibc behind build/lib/libcompare_delay_shim.so, which
# spins DELAY_NS in every malloc. Prints, per workload, the median
# throughput change and how many trials were flagged "regressed".
# Reported in docs/ci.md, never asserted (timing-dependent).
set -u
build=$1
src=$2
trials=$3
shift 3
allocscope=$build/bin/allocscope
shim=$build/lib/libcompare_delay_shim.so
[ -f "$shim" ] || { echo "build the compare_delay_shim target first"; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/allocscope-detect.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
cat >"$work/registry.yaml" <<EOR
allocators:
  - name: glibc
    description: glibc malloc behind a delay shim
    library: $shim
    version: {glibc: gnu_get_libc_version}
    stats: glibc
EOR
# WORKLOADS and SIZE (default --quick; SIZE= for full-size workloads) can be set.
workloads=${WORKLOADS:-"$src/workloads/churn-small.yaml $src/workloads/swiss-cheese.yaml $src/workloads/empirical-profile.yaml"}
opts="${SIZE---quick} --reps 5 --allocators glibc --no-plots"
for delay in "$@"; do
    t=1
    while [ "$t" -le "$trials" ]; do
        # shellcheck disable=SC2086
        "$allocscope" run $opts --out "$work/base" $workloads >/dev/null 2>&1 || exit 2
        # shellcheck disable=SC2086
        ALLOCSCOPE_SHIM_DELAY_NS=$delay "$allocscope" run $opts --registry "$work/registry.yaml" \
            --out "$work/new" $workloads >/dev/null 2>&1 || exit 2
        "$allocscope" compare --metric throughput --json "$work/r.json" "$work/base" \
            "$work/new" >/dev/null 2>&1
        jq -r --arg d "$delay" '.rows[] | [$d, .workload, .change_pct, .verdict] | @tsv' \
            "$work/r.json" >>"$work/all.tsv"
        rm -rf "$work/base" "$work/new"
        t=$((t + 1))
    done
done
echo "delay_ns workload median_change_pct flagged/trials"
cut -f1,2 "$work/all.tsv" | sort -u -k1,1n -k2,2 | while IFS="$(printf '\t')" read -r d w; do
    awk -F'\t' -v d="$d" -v w="$w" '$1 == d && $2 == w' "$work/all.tsv" >"$work/key.tsv"
    n=$(wc -l <"$work/key.tsv")
    f=$(awk -F'\t' '$4 == "regressed"' "$work/key.tsv" | wc -l)
    med=$(cut -f3 "$work/key.tsv" | sort -g | awk '{ v[NR] = $1 } END {
        print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    printf '%s\t%s\t%+.1f%%\t%d/%d\n' "$d" "$w" "$med" "$f" "$n"
done
