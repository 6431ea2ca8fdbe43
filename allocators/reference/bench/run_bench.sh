#!/bin/bash
# run_bench.sh - the reference allocator's benchmark programs under each
# allocator; prints medians and ratios to glibc.
#
#   run_bench.sh BUILD_DIR [REPS] [CONFIG...]
#
# Repetitions are interleaved (every allocator once, then again), so slow
# phases of a shared machine hit all allocators alike; each figure is the
# median of REPS runs (default 5), one process per run.  Configurations
# (default: all):
#   st-churn    churn_bench, 1 thread, 10M ops, 10k live, 16-512 B (Mops/s)
#   mt-churn    churn_bench, 2 threads, 10M ops each                  (Mops/s)
#   st-rss      churn_bench, 1 thread, 3M ops, 500k live, 16-512 B    (peak RSS)
#   st-mixed    churn_bench, 1 thread, 2M ops, 20k live, 16-32768 B   (Mops/s)
#   bigblock    bigblock_bench, 150 blocks of 5-25 MiB, one at a time (seconds)
#   growshrink  grow_shrink_bench, 8 threads x 10 rounds of 16 MiB   (seconds)
set -u
build=${1:?usage: run_bench.sh BUILD_DIR [REPS] [CONFIG...]}
reps=${2:-5}
shift $(( $# >= 2 ? 2 : $# ))
libdir=/usr/lib/x86_64-linux-gnu
allocators=(glibc reference jemalloc mimalloc)
declare -A preload=(
    [glibc]=""
    [jemalloc]=$libdir/libjemalloc.so.2
    [mimalloc]=$libdir/libmimalloc.so.2
    [reference]=$build/lib/liballocscope_reference.so
)
declare -A command=(
    [st-churn]="allocscope_reference_bench -t 1 -n 10000000 -w 10000 -s 16 -S 512"
    [mt-churn]="allocscope_reference_bench -t 2 -n 10000000 -w 10000 -s 16 -S 512"
    [st-rss]="allocscope_reference_bench -t 1 -n 3000000 -w 500000 -s 16 -S 512"
    [st-mixed]="allocscope_reference_bench -t 1 -n 2000000 -w 20000 -s 16 -S 32768"
    [bigblock]="allocscope_reference_bigblock_bench -n 150"
    [growshrink]="allocscope_reference_grow_shrink_bench -t 8 -R 10 -b 16"
)
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(st-churn mt-churn st-rss st-mixed bigblock growshrink)

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { sed -n "s/.*\\b$1=\\([0-9.]*\\).*/\\1/p"; } # field NAME < line

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for config in "${configs[@]}"; do
    [ -n "${command[$config]:-}" ] || { echo "unknown config $config" >&2; exit 2; }
    for ((r = 0; r < reps; r++)); do
        for a in "${allocators[@]}"; do
            LD_PRELOAD=${preload[$a]} "$build"/bin/${command[$config]} >> "$out/$config.$a" ||
                { echo "$config under $a failed" >&2; exit 1; }
        done
    done
done

printf "%-10s %-10s %10s %8s %12s %8s %10s\n" config allocator figure "x glibc" "peak RSS KiB" "x glibc" faults
for config in "${configs[@]}"; do
    metric=seconds
    grep -q mops_per_s "$out/$config.glibc" && metric=mops_per_s
    base=$(field $metric < "$out/$config.glibc" | median)
    base_rss=$(field peak_rss_kib < "$out/$config.glibc" | median)
    for a in "${allocators[@]}"; do
        v=$(field $metric < "$out/$config.$a" | median)
        rss=$(field peak_rss_kib < "$out/$config.$a" | median)
        faults=$(field faults < "$out/$config.$a" | median)
        # speed ratio: > 1 is faster than glibc, for either metric
        speed=$(awk -v v="$v" -v b="$base" -v m=$metric 'BEGIN { printf "%.2f", m == "seconds" ? b / v : v / b }')
        printf "%-10s %-10s %10s %8s %12s %8s %10s\n" "$config" "$a" "$v${metric:0:1}" "$speed" "$rss" \
            "$(awk -v v="$rss" -v b="$base_rss" 'BEGIN { printf "%.2f", v / b }')" "${faults:--}"
    done
done
echo "figure: s = seconds (median), m = Mops/s (median); x glibc: speed (>1 faster) and RSS ratios"
