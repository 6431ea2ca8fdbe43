#!/bin/bash
# hardening_cost.sh - what the reference allocator's hardening costs, in
# instructions (valgrind --tool=callgrind: repeatable on a noisy machine).
#
#   hardening_cost.sh BUILD_DIR            churn_bench, below
#   hardening_cost.sh BUILD_DIR --harness  the churn-small workload itself:
#       `allocscope run` of workloads/churn-small.yaml, --quick (1.0 M ops)
#       and full (10.0 M ops), under callgrind with --trace-children; the
#       worker process's instructions, difference over the 9.018 M extra
#       ops: instructions per harness op (a malloc or a free, with the
#       measured loop's own work).  Takes a few minutes.
#
# Runs churn_bench (one thread, 20,000 live objects of 16-256 B, every
# iteration frees a random one and allocates a new one, touching its first
# and last byte: the churn-small workload's pattern) under
# liballocscope_reference.so (default hardening), _strict.so (REF_HARDENING=2)
# and _unhardened.so (REF_HARDENING=0), at two iteration counts;
# the difference divided by the extra iterations removes start-up and
# warm-up, leaving instructions per iteration (one malloc and one free,
# plus the driver's own work).  Prints both and the relative cost.
set -eu
build=${1:?usage: hardening_cost.sh BUILD_DIR}
bench=$build/bin/allocscope_reference_bench
small=200000 large=1200000
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# instructions LIBRARY ITERATIONS: total Ir of the bench process
instructions() {
    rm -f "$out"/cg.*
    valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$out/cg.%p" \
        env LD_PRELOAD="$1" "$bench" -t 1 -n "$2" -w 20000 -s 16 -S 256 >/dev/null 2>&1
    for f in "$out"/cg.*; do
        if grep -q "^cmd:.*allocscope_reference_bench" "$f"; then
            sed -n 's/^summary: //p' "$f"
            return
        fi
    done
    echo "no callgrind output for the bench" >&2
    exit 1
}

if [ "${2:-}" = --harness ]; then
    here=$(cd "$(dirname "$0")" && pwd)
    workload=$here/../../../workloads/churn-small.yaml
    # worker_instructions ALLOCATOR [--quick]
    worker_instructions() {
        rm -rf "$out"/cg.* "$out/run"
        valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$out/cg.%p" \
            "$build/bin/allocscope" run $2 "$workload" -a "$1" -r 1 --no-plots --timeout 900 \
            --registry "$here/registry.yaml" -o "$out/run" >/dev/null 2>&1
        for f in "$out"/cg.*; do
            if grep -q "^cmd:.*allocscope-worker" "$f"; then
                sed -n 's/^summary: //p' "$f"
                return
            fi
        done
        echo "no callgrind output for the worker" >&2
        exit 1
    }
    declare -A per_op
    for a in reference reference-strict reference-unhardened; do
        q=$(worker_instructions $a --quick)
        f=$(worker_instructions $a "")
        per_op[$a]=$(awk -v a="$q" -v b="$f" 'BEGIN { printf "%.2f", (b - a) / 9018000 }')
        printf "%-22s %s instructions per op (churn-small, harness worker)\n" $a "${per_op[$a]}"
    done
    for a in reference reference-strict; do
        awk -v v=$a -v h="${per_op[$a]}" -v u="${per_op[reference-unhardened]}" \
            'BEGIN { printf "%s hardening: +%.2f instructions per op, +%.1f%%\n", v, h - u, (h - u) * 100 / u }'
    done
    exit 0
fi

declare -A per_op
for variant in reference reference_strict reference_unhardened; do
    lib=$build/lib/liballocscope_$variant.so
    [ -f "$lib" ] || { echo "missing $lib" >&2; exit 1; }
    a=$(instructions "$lib" $small)
    b=$(instructions "$lib" $large)
    per_op[$variant]=$(awk -v a="$a" -v b="$b" -v n=$((large - small)) 'BEGIN { printf "%.2f", (b - a) / n }')
    printf "%-22s %s instructions per iteration (malloc + free + driver)\n" "$variant" "${per_op[$variant]}"
done
for variant in reference reference_strict; do
    awk -v v=$variant -v h="${per_op[$variant]}" -v u="${per_op[reference_unhardened]}" \
        'BEGIN { printf "%s hardening: +%.2f instructions per iteration, +%.1f%%\n", v, h - u, (h - u) * 100 / u }'
done
