/* host_info.h - facts about the machine a run was measured on (run.json). */
#ifndef ALLOCSCOPE_HOST_INFO_H
#define ALLOCSCOPE_HOST_INFO_H

#include <stdbool.h>

#include "samplers.h"

struct host_info {
    char hostname[256];
    char kernel[256];    /* "Linux 6.1.0-18-amd64 x86_64" */
    char cpu_model[256];
    int cores;
    char thp_mode[32];   /* always | madvise | never | unknown */
    long page_size;
    /* perf: opened once in this process to learn what the machine counts. */
    bool perf_supported[PERF_METRIC_COUNT];
    char perf_reason[PERF_METRIC_COUNT][160];
    /* The table the page-walk events come from (tlb_events.h), "none". */
    const char *page_walk_events;
};

void host_info_collect(struct host_info *h);

#endif
