/* tlb_events.c - see tlb_events.h. The encodings are the vendors':
 *  - Intel Skylake, Cascade Lake, Ice Lake, Tiger Lake (event tables of
 *    those cores): DTLB_LOAD_MISSES = 0x08; WALK_COMPLETED umask 0x0e,
 *    WALK_COMPLETED_4K 0x02, WALK_COMPLETED_2M_4M 0x04, WALK_ACTIVE umask
 *    0x10 with counter mask 1 (cycles with at least one walk busy).
 *  - Intel Sapphire / Emerald Rapids: the same umasks on event 0x12.
 *  - AMD Zen 2-5 (Processor Programming Reference / pmu-events amdzen*):
 *    ls_l1_d_tlb_miss = 0x45; the reloads that also missed the L2 DTLB
 *    (each asks for a page-table walk): tlb_reload_4k_l2_miss umask 0x10,
 *    tlb_reload_2m_l2_miss 0x40, all four L2-miss kinds (4K, coalesced or
 *    32K, 2M, 1G) 0xf0. AMD lists no walk-duration event: no walk cycles.
 */
#include "tlb_events.h"

#include <cpuid.h>
#include <string.h>

enum tlb_family tlb_family_of(const char *vendor, unsigned family, unsigned model)
{
    if (strcmp(vendor, "GenuineIntel") == 0 && family == 6) {
        switch (model) {
        case 0x4e: case 0x5e:             /* Skylake client */
        case 0x55:                        /* Skylake / Cascade / Cooper Lake server */
        case 0x8e: case 0x9e:             /* Kaby / Coffee / Whiskey / Amber Lake */
        case 0xa5: case 0xa6:             /* Comet Lake */
        case 0x7d: case 0x7e:             /* Ice Lake client */
        case 0x6a: case 0x6c:             /* Ice Lake server */
        case 0x8c: case 0x8d:             /* Tiger Lake */
        case 0xa7:                        /* Rocket Lake */
            return TLB_FAMILY_INTEL_SKL;
        case 0x8f:                        /* Sapphire Rapids */
        case 0xcf:                        /* Emerald Rapids */
            return TLB_FAMILY_INTEL_GLC;
        }
        return TLB_FAMILY_NONE; /* hybrid parts have two PMUs: not here */
    }
    if (strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0) {
        if ((family == 0x17 && model >= 0x30) || family == 0x19 || family == 0x1a)
            return TLB_FAMILY_AMD_ZEN;
    }
    return TLB_FAMILY_NONE;
}

enum tlb_family tlb_family_here(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d))
        return TLB_FAMILY_NONE;
    char vendor[13];
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = '\0';
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return TLB_FAMILY_NONE;
    unsigned family = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
    if (family == 0xf)
        family += (a >> 20) & 0xff;
    if (family == 6 || family >= 0xf)
        model |= ((a >> 16) & 0xf) << 4;
    return tlb_family_of(vendor, family, model);
}

const char *tlb_family_name(enum tlb_family f)
{
    static const char *const names[TLB_FAMILY_COUNT] = {
        [TLB_FAMILY_NONE] = "none",
        [TLB_FAMILY_INTEL_SKL] = "intel-skylake-icelake",
        [TLB_FAMILY_INTEL_GLC] = "intel-sapphire-rapids",
        [TLB_FAMILY_AMD_ZEN] = "amd-zen2-zen5",
    };
    return (unsigned)f < TLB_FAMILY_COUNT ? names[f] : "none";
}

void tlb_raw_event(enum tlb_family f, enum tlb_walk_metric m, struct tlb_raw_event *ev)
{
    memset(ev, 0, sizeof *ev);
    switch (f) {
    case TLB_FAMILY_INTEL_SKL:
    case TLB_FAMILY_INTEL_GLC: {
        uint16_t code = f == TLB_FAMILY_INTEL_SKL ? 0x08 : 0x12;
        static const struct tlb_raw_event intel[TLB_WALK_METRIC_COUNT] = {
            [TLB_WALKS] = {"DTLB_LOAD_MISSES.WALK_COMPLETED", 0, 0x0e, 0},
            [TLB_WALKS_4K] = {"DTLB_LOAD_MISSES.WALK_COMPLETED_4K", 0, 0x02, 0},
            [TLB_WALKS_2M] = {"DTLB_LOAD_MISSES.WALK_COMPLETED_2M_4M", 0, 0x04, 0},
            [TLB_WALK_CYCLES] = {"DTLB_LOAD_MISSES.WALK_ACTIVE", 0, 0x10, 1},
        };
        if ((unsigned)m < TLB_WALK_METRIC_COUNT) {
            *ev = intel[m];
            ev->event = code;
        }
        return;
    }
    case TLB_FAMILY_AMD_ZEN: {
        static const struct tlb_raw_event amd[TLB_WALK_METRIC_COUNT] = {
            [TLB_WALKS] = {"ls_l1_d_tlb_miss.all_l2_miss", 0x45, 0xf0, 0},
            [TLB_WALKS_4K] = {"ls_l1_d_tlb_miss.tlb_reload_4k_l2_miss", 0x45, 0x10, 0},
            [TLB_WALKS_2M] = {"ls_l1_d_tlb_miss.tlb_reload_2m_l2_miss", 0x45, 0x40, 0},
            [TLB_WALK_CYCLES] = {NULL, 0, 0, 0},
        };
        if ((unsigned)m < TLB_WALK_METRIC_COUNT)
            *ev = amd[m];
        return;
    }
    case TLB_FAMILY_NONE:
    case TLB_FAMILY_COUNT:
        break;
    }
}

uint64_t tlb_raw_config(const struct tlb_raw_event *ev)
{
    return (uint64_t)(ev->event & 0xff) | (uint64_t)((ev->event >> 8) & 0xf) << 32 |
           (uint64_t)ev->umask << 8 | (uint64_t)ev->cmask << 24;
}
