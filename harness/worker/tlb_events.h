/* tlb_events.h - the CPU's own page-walk events: raw perf encodings from
 * the vendors' event tables (Intel perfmon / the Linux kernel's
 * pmu-events JSON), chosen by CPUID vendor, family and model. Where the
 * CPU is not one of the families below there is no encoding and the
 * metrics stay unsupported (never 0). docs/results.md lists which event
 * each column is on which family. No malloc: usable in the worker. */
#ifndef ALLOCSCOPE_TLB_EVENTS_H
#define ALLOCSCOPE_TLB_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

enum tlb_family {
    TLB_FAMILY_NONE,       /* no table for this CPU */
    TLB_FAMILY_INTEL_SKL,  /* Skylake .. Ice Lake / Tiger Lake cores:
                              DTLB_LOAD_MISSES is event 0x08 */
    TLB_FAMILY_INTEL_GLC,  /* Sapphire / Emerald Rapids (Golden Cove and
                              later server cores): event 0x12 */
    TLB_FAMILY_AMD_ZEN,    /* Zen 2 .. Zen 5: ls_l1_d_tlb_miss, event 0x45 */
    TLB_FAMILY_COUNT
};

/* The page-walk metrics, each one raw event (or none) per family. */
enum tlb_walk_metric {
    TLB_WALKS,        /* page walks for data (all page sizes) */
    TLB_WALKS_4K,     /* ... that ended at a 4 KiB page */
    TLB_WALKS_2M,     /* ... at a 2 MiB (or 4 MiB) page */
    TLB_WALK_CYCLES,  /* cycles with a data page walk in progress */
    TLB_WALK_METRIC_COUNT
};

struct tlb_raw_event {
    const char *name; /* the vendor's event name, NULL: none on this family */
    uint16_t event;   /* EventCode */
    uint8_t umask;    /* UMask */
    uint8_t cmask;    /* CounterMask (0: none) */
};

/* The family of a CPU from CPUID's vendor string and its display family
 * and model (extended fields folded in, as /proc/cpuinfo shows them). */
enum tlb_family tlb_family_of(const char *vendor, unsigned family, unsigned model);

/* The family of the CPU this runs on (CPUID). */
enum tlb_family tlb_family_here(void);

const char *tlb_family_name(enum tlb_family f);

/* The event for metric m on family f; ev->name is NULL when the family
 * has no such event. */
void tlb_raw_event(enum tlb_family f, enum tlb_walk_metric m, struct tlb_raw_event *ev);

/* perf_event_attr.config of a PERF_TYPE_RAW x86 event: event select bits
 * 0-7 (AMD: and 32-35), unit mask 8-15, counter mask 24-31. */
uint64_t tlb_raw_config(const struct tlb_raw_event *ev);

#endif
