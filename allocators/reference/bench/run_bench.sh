#!/bin/bash
# run_bench.sh - churn_bench under each allocator; prints medians.
#
#   run_bench.sh BUILD_DIR [REPS]
#
# Configurations (ops are per thread):
#   st-churn   1 thread,  20M ops, 10k live slots, 16..512 B  (throughput)
#   mt-churn   2 threads, 20M ops each, thread-local           (scaling)
#   st-rss     1 thread,  3M ops, 500k live slots, 16..512 B  (peak RSS)
#   st-mixed   1 thread,  2M ops, 20k live slots, 16..32768 B (mid sizes)
set -u
build=${1:?usage: run_bench.sh BUILD_DIR [REPS]}
reps=${2:-5}
bench=$build/bin/allocscope_reference_bench
libdir=/usr/lib/x86_64-linux-gnu
declare -A preload=(
    [glibc]=""
    [jemalloc]=$libdir/libjemalloc.so.2
    [mimalloc]=$libdir/libmimalloc.so.2
    [reference]=$build/lib/liballocscope_reference.so
)
declare -A args=(
    [st-churn]="-t 1 -n 20000000 -w 10000 -s 16 -S 512"
    [mt-churn]="-t 2 -n 20000000 -w 10000 -s 16 -S 512"
    [st-rss]="-t 1 -n 3000000 -w 500000 -s 16 -S 512"
    [st-mixed]="-t 1 -n 2000000 -w 20000 -s 16 -S 32768"
)
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf "%-9s %-10s %12s %14s\n" config allocator "Mops/s" "peak RSS KiB"
for config in st-churn mt-churn st-rss st-mixed; do
    for alloc in glibc reference jemalloc mimalloc; do
        results=()
        for ((r = 0; r < reps; r++)); do
            results+=("$(LD_PRELOAD=${preload[$alloc]} $bench ${args[$config]})")
        done
        mops=$(printf '%s\n' "${results[@]}" | sed 's/.*mops_per_s=\([0-9.]*\).*/\1/' | median)
        rss=$(printf '%s\n' "${results[@]}" | sed 's/.*peak_rss_kib=\([0-9]*\).*/\1/' | median)
        printf "%-9s %-10s %12s %14s\n" "$config" "$alloc" "$mops" "$rss"
    done
done
