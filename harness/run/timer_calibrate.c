/* timer_calibrate.c - see timer_calibrate.h. */
#define _GNU_SOURCE
#include "timer_calibrate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Both invariant-TSC flags in /proc/cpuinfo: the counter runs at one rate
 * whatever the frequency or sleep state, and the kernel trusts it. */
static bool tsc_invariant(void)
{
#if defined(__x86_64__) || defined(__i386__)
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return false;
    char line[4096];
    bool constant = false, nonstop = false;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "flags", 5) != 0)
            continue;
        for (char *tok = strtok(line + 5, " \t\n:"); tok; tok = strtok(NULL, " \t\n:")) {
            constant |= strcmp(tok, "constant_tsc") == 0;
            nonstop |= strcmp(tok, "nonstop_tsc") == 0;
        }
        break; /* the first CPU's flags */
    }
    fclose(f);
    return constant && nonstop;
#else
    return false;
#endif
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void timer_calibrate(struct timer_params *out, char *desc, size_t desclen)
{
    const char *force = getenv("ALLOCSCOPE_TIMER");
    *out = (struct timer_params){.source = TIMER_MONOTONIC, .mult = 1, .shift = 0};
    if ((force && strcmp(force, "monotonic") == 0) || !tsc_invariant()) {
        snprintf(desc, desclen, "clock_gettime(CLOCK_MONOTONIC)");
        return;
    }
    struct timer_params tsc = {.source = TIMER_TSC};
    timer_use(&tsc);
    /* 20 ms of both clocks, taken as close together as they can be. */
    uint64_t n0 = mono_ns(), t0 = timer_ticks();
    uint64_t n1, t1;
    do {
        n1 = mono_ns();
        t1 = timer_ticks();
    } while (n1 - n0 < 20000000);
    timer_use(out);
    if (t1 <= t0) {
        snprintf(desc, desclen, "clock_gettime(CLOCK_MONOTONIC) (the TSC did not advance)");
        return;
    }
    out->source = TIMER_TSC;
    out->shift = 32;
    out->mult = (uint64_t)(((unsigned __int128)(n1 - n0) << 32) / (t1 - t0));
    snprintf(desc, desclen, "tsc %.3f GHz", timer_ticks_per_ns(out));
}

double timer_ticks_per_ns(const struct timer_params *p)
{
    if (p->source != TIMER_TSC || !p->mult)
        return 1.0;
    return (double)((uint64_t)1 << p->shift) / (double)p->mult;
}
