/* test_tlb_events.c - the page-walk events' raw encodings against the
 * vendors' tables, and the path of a machine without a PMU.
 *
 * The expected values are the tables' fields as published (Linux
 * tools/perf/pmu-events/arch/x86/{skylake,icelake,sapphirerapids}/
 * virtual-memory.json, amdzen3/memory.json, amdzen4/memory.json,
 * amdzen5/load-store.json): EventCode, UMask, CounterMask, written here as
 * the table writes them, and the config a PERF_TYPE_RAW event takes
 * (EventCode | UMask << 8 | CounterMask << 24). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check_msg.h"
#include "samplers.h"
#include "tlb_events.h"

struct expect {
    enum tlb_family family;
    enum tlb_walk_metric metric;
    const char *name;
    unsigned event, umask, cmask;
    uint64_t config;
};

static const struct expect table[] = {
    /* skylake/virtual-memory.json (icelake: the same codes) */
    {TLB_FAMILY_INTEL_SKL, TLB_WALKS, "DTLB_LOAD_MISSES.WALK_COMPLETED", 0x08, 0xe, 0, 0x0e08},
    {TLB_FAMILY_INTEL_SKL, TLB_WALKS_4K, "DTLB_LOAD_MISSES.WALK_COMPLETED_4K", 0x08, 0x2, 0, 0x0208},
    {TLB_FAMILY_INTEL_SKL, TLB_WALKS_2M, "DTLB_LOAD_MISSES.WALK_COMPLETED_2M_4M", 0x08, 0x4, 0, 0x0408},
    {TLB_FAMILY_INTEL_SKL, TLB_WALK_CYCLES, "DTLB_LOAD_MISSES.WALK_ACTIVE", 0x08, 0x10, 1, 0x01001008},
    /* sapphirerapids/virtual-memory.json */
    {TLB_FAMILY_INTEL_GLC, TLB_WALKS, "DTLB_LOAD_MISSES.WALK_COMPLETED", 0x12, 0xe, 0, 0x0e12},
    {TLB_FAMILY_INTEL_GLC, TLB_WALKS_4K, "DTLB_LOAD_MISSES.WALK_COMPLETED_4K", 0x12, 0x2, 0, 0x0212},
    {TLB_FAMILY_INTEL_GLC, TLB_WALKS_2M, "DTLB_LOAD_MISSES.WALK_COMPLETED_2M_4M", 0x12, 0x4, 0, 0x0412},
    {TLB_FAMILY_INTEL_GLC, TLB_WALK_CYCLES, "DTLB_LOAD_MISSES.WALK_ACTIVE", 0x12, 0x10, 1, 0x01001012},
    /* amdzen3/memory.json (zen4, zen5: the same codes) */
    {TLB_FAMILY_AMD_ZEN, TLB_WALKS, "ls_l1_d_tlb_miss.all_l2_miss", 0x45, 0xf0, 0, 0xf045},
    {TLB_FAMILY_AMD_ZEN, TLB_WALKS_4K, "ls_l1_d_tlb_miss.tlb_reload_4k_l2_miss", 0x45, 0x10, 0, 0x1045},
    {TLB_FAMILY_AMD_ZEN, TLB_WALKS_2M, "ls_l1_d_tlb_miss.tlb_reload_2m_l2_miss", 0x45, 0x40, 0, 0x4045},
};

static void test_tables(void)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const struct expect *e = &table[i];
        struct tlb_raw_event ev;
        tlb_raw_event(e->family, e->metric, &ev);
        CHECK(ev.name && strcmp(ev.name, e->name) == 0, "%s: name %s", e->name,
              ev.name ? ev.name : "(none)");
        CHECK(ev.event == e->event && ev.umask == e->umask && ev.cmask == e->cmask,
              "%s: event %#x umask %#x cmask %u", e->name, ev.event, ev.umask, ev.cmask);
        CHECK(tlb_raw_config(&ev) == e->config, "%s: config %#llx, want %#llx", e->name,
              (unsigned long long)tlb_raw_config(&ev), (unsigned long long)e->config);
    }
    /* AMD's tables have no walk-duration event; no family, no events. */
    struct tlb_raw_event ev;
    tlb_raw_event(TLB_FAMILY_AMD_ZEN, TLB_WALK_CYCLES, &ev);
    CHECK(ev.name == NULL, "AMD has no walk-cycle event");
    for (int m = 0; m < TLB_WALK_METRIC_COUNT; m++) {
        tlb_raw_event(TLB_FAMILY_NONE, (enum tlb_walk_metric)m, &ev);
        CHECK(ev.name == NULL, "no family, no event %d", m);
    }
    /* An extended AMD event select goes to bits 32-35. */
    ev = (struct tlb_raw_event){"x", 0x1c5, 0x01, 0};
    CHECK(tlb_raw_config(&ev) == (0xc5 | 0x100 | (1ULL << 32)),
          "extended event select: %#llx", (unsigned long long)tlb_raw_config(&ev));
}

static void test_families(void)
{
    CHECK(tlb_family_of("GenuineIntel", 6, 0x55) == TLB_FAMILY_INTEL_SKL, "Skylake-SP");
    CHECK(tlb_family_of("GenuineIntel", 6, 0x6a) == TLB_FAMILY_INTEL_SKL, "Ice Lake-SP");
    CHECK(tlb_family_of("GenuineIntel", 6, 0x8f) == TLB_FAMILY_INTEL_GLC, "Sapphire Rapids");
    CHECK(tlb_family_of("GenuineIntel", 6, 0x97) == TLB_FAMILY_NONE, "Alder Lake (hybrid)");
    CHECK(tlb_family_of("GenuineIntel", 6, 0x3f) == TLB_FAMILY_NONE, "Haswell: no table");
    CHECK(tlb_family_of("AuthenticAMD", 0x17, 0x31) == TLB_FAMILY_AMD_ZEN, "Zen 2");
    CHECK(tlb_family_of("AuthenticAMD", 0x17, 0x01) == TLB_FAMILY_NONE, "Zen 1: no table");
    CHECK(tlb_family_of("AuthenticAMD", 0x19, 0x01) == TLB_FAMILY_AMD_ZEN, "Zen 3");
    CHECK(tlb_family_of("AuthenticAMD", 0x1a, 0x02) == TLB_FAMILY_AMD_ZEN, "Zen 5");
    CHECK(tlb_family_of("CentaurHauls", 6, 0x0f) == TLB_FAMILY_NONE, "other vendor");
}

/* This machine: /proc/cpuinfo names the same family as CPUID, and every
 * page-walk counter that cannot count is unsupported (never 0), with a
 * reason. */
static void test_here(void)
{
    char vendor[32] = "", line[256];
    unsigned family = 0, model = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f)) {
        if (!vendor[0])
            sscanf(line, "vendor_id : %31s", vendor);
        if (!family)
            sscanf(line, "cpu family : %u", &family);
        if (!model && strncmp(line, "model\t", 6) == 0)
            sscanf(line, "model : %u", &model);
    }
    if (f)
        fclose(f);
    CHECK(tlb_family_here() == tlb_family_of(vendor, family, model),
          "CPUID and /proc/cpuinfo (%s family %#x model %#x) agree", vendor, family, model);

    struct perf_counters pc;
    perf_counters_open(&pc);
    perf_counters_enable(&pc);
    uint64_t v[PERF_METRIC_COUNT];
    perf_counters_read(&pc, v);
    for (int m = PERF_CPU_CYCLES; m < PERF_METRIC_COUNT; m++) {
        if (pc.fd[m] >= 0)
            continue;
        CHECK(v[m] == METRIC_UNSUPPORTED, "%s: not open, yet read %llu",
              perf_metric_name((enum perf_metric)m), (unsigned long long)v[m]);
        CHECK(pc.open_errno[m] != 0 && strlen(perf_open_error_reason(pc.open_errno[m])) > 10,
              "%s: a reason", perf_metric_name((enum perf_metric)m));
        if (!perf_metric_known((enum perf_metric)m))
            CHECK(pc.open_errno[m] == ENODATA, "%s: no encoding is ENODATA",
                  perf_metric_name((enum perf_metric)m));
        printf("%s: unsupported: %s\n", perf_metric_name((enum perf_metric)m),
               perf_open_error_reason(pc.open_errno[m]));
    }
    perf_counters_close(&pc);
}

int main(void)
{
    test_tables();
    test_families();
    test_here();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
