/* metrics.c - the table of comparable figures (metrics.h). */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Key figures first, in the order the issue lists them; the rest can be
 * asked for with --metric. TLB misses are time-like: they move with
 * scheduling and caches, so they are judged like time. */
const struct metric_def metric_defs[] = {
    {"throughput", "ops_per_s", "throughput", UNIT_OPS_PER_S, METRIC_TIME, true, true},
    {"latency_p99", "latency_p99_ns", "latency p99", UNIT_NS, METRIC_TIME, false, true},
    {"peak_heap", "peak_heap_bytes", "peak heap", UNIT_BYTES, METRIC_MEMORY, false, true},
    {"frag", "frag_peak_ratio", "fragmentation (peak heap/peak live)", UNIT_RATIO,
     METRIC_MEMORY, false, true},
    {"brk", "peak_brk_bytes", "program-break growth", UNIT_BYTES, METRIC_MEMORY, false, true},
    {"dtlb", "dtlb_load_misses_per_kop", "dTLB load misses per 1000 ops", UNIT_PER_KOP,
     METRIC_TIME, false, true},
    {"wall", "wall_s", "wall time", UNIT_SECONDS, METRIC_TIME, false, false},
    {"latency_p50", "latency_p50_ns", "latency p50", UNIT_NS, METRIC_TIME, false, false},
    {"latency_p999", "latency_p999_ns", "latency p99.9", UNIT_NS, METRIC_TIME, false, false},
    {"peak_rss", "peak_rss_bytes", "peak RSS", UNIT_BYTES, METRIC_MEMORY, false, false},
    {"final_heap", "final_heap_bytes", "heap kept after teardown", UNIT_BYTES, METRIC_MEMORY,
     false, false},
    {"frag_at_peak", "frag_at_peak_heap", "fragmentation at peak heap", UNIT_RATIO,
     METRIC_MEMORY, false, false},
    {"frag_mean", "frag_mean_ratio", "mean fragmentation", UNIT_RATIO, METRIC_MEMORY, false,
     false},
    {"internal_frag", "internal_frag_ratio", "internal fragmentation", UNIT_RATIO,
     METRIC_MEMORY, false, false},
    {"minor_faults", "minor_faults", "minor page faults", UNIT_COUNT, METRIC_MEMORY, false,
     false},
    {"dtlb_store", "dtlb_store_misses_per_kop", "dTLB store misses per 1000 ops",
     UNIT_PER_KOP, METRIC_TIME, false, false},
    {"itlb", "itlb_misses_per_kop", "iTLB misses per 1000 ops", UNIT_PER_KOP, METRIC_TIME,
     false, false},
    /* Throughput per CPU second of the worker: blind to the time other
     * tenants hold the CPU, which wall time is not (runs before this
     * column: unsupported). */
    {"cpu_throughput", "ops_per_cpu_s", "throughput per CPU second", UNIT_OPS_PER_S,
     METRIC_TIME, true, true},
    /* Only in runs made with --instructions; compare adds it by itself. */
    {"instructions", "instructions_per_op", "instructions per op (measured loop)", UNIT_PER_OP,
     METRIC_COUNT, false, false},
};
const size_t metric_count = sizeof metric_defs / sizeof metric_defs[0];
_Static_assert(sizeof metric_defs / sizeof metric_defs[0] <= METRIC_MAX, "raise METRIC_MAX");

const struct metric_def *metric_find(const char *name)
{
    for (size_t i = 0; i < metric_count; i++)
        if (strcmp(name, metric_defs[i].name) == 0 || strcmp(name, metric_defs[i].column) == 0)
            return &metric_defs[i];
    return NULL;
}

size_t metric_index(const struct metric_def *d) { return (size_t)(d - metric_defs); }

const char *metric_class_name(enum metric_class c)
{
    return c == METRIC_MEMORY ? "memory" : c == METRIC_COUNT ? "count" : "time";
}

const char *metric_unit_name(enum metric_unit u)
{
    switch (u) {
    case UNIT_OPS_PER_S: return "ops/s";
    case UNIT_NS: return "ns";
    case UNIT_SECONDS: return "s";
    case UNIT_BYTES: return "bytes";
    case UNIT_RATIO: return "ratio";
    case UNIT_COUNT: return "count";
    case UNIT_PER_KOP: return "per 1000 ops";
    case UNIT_PER_OP: return "instructions/op";
    }
    return "";
}

/* v scaled by powers of `base` with the given suffixes. */
static void scaled(double v, double base, const char *const *suffix, size_t nsuffix,
                   const char *tail, char *buf, size_t len)
{
    size_t i = 0;
    double a = fabs(v);
    while (a >= base && i + 1 < nsuffix) {
        a /= base;
        v /= base;
        i++;
    }
    if (i == 0 && v == floor(v))
        snprintf(buf, len, "%.0f%s%s", v, suffix[0], tail);
    else
        snprintf(buf, len, "%.*f%s%s", a < 10 ? 2 : a < 100 ? 1 : 0, v, suffix[i], tail);
}

void metric_format(enum metric_unit u, double v, char *buf, size_t len)
{
    static const char *const bin[] = {" B", " KiB", " MiB", " GiB", " TiB"};
    static const char *const dec[] = {"", " k", " M", " G"};
    if (isnan(v)) {
        snprintf(buf, len, "-");
        return;
    }
    switch (u) {
    case UNIT_BYTES: scaled(v, 1024, bin, 5, "", buf, len); break;
    case UNIT_OPS_PER_S: scaled(v, 1000, dec, 4, "/s", buf, len); break;
    case UNIT_COUNT: scaled(v, 1000, dec, 4, "", buf, len); break;
    case UNIT_NS:
        if (fabs(v) >= 1e6)
            snprintf(buf, len, "%.2f ms", v / 1e6);
        else if (fabs(v) >= 1e3)
            snprintf(buf, len, "%.2f us", v / 1e3);
        else
            snprintf(buf, len, "%.0f ns", v);
        break;
    case UNIT_SECONDS: snprintf(buf, len, "%.4g s", v); break;
    case UNIT_RATIO: snprintf(buf, len, "%.4g", v); break;
    case UNIT_PER_KOP: snprintf(buf, len, "%.4g", v); break;
    case UNIT_PER_OP: snprintf(buf, len, "%.2f", v); break;
    }
}

int metric_parse_list(const char *list, bool *selected, char *bad, size_t badlen)
{
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        char name[64];
        if (n >= sizeof name) {
            snprintf(bad, badlen, "%.*s", (int)n, p);
            return -1;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        if (strcmp(name, "all") == 0 || strcmp(name, "key") == 0) {
            for (size_t i = 0; i < metric_count; i++)
                if (name[0] == 'a' || metric_defs[i].key)
                    selected[i] = true;
        } else if (n > 0) {
            const struct metric_def *d = metric_find(name);
            if (!d) {
                snprintf(bad, badlen, "%s", name);
                return -1;
            }
            selected[metric_index(d)] = true;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}
