/* instr_count.h - user-space instructions of the measured loop only
 * (`allocscope run --instructions`), two ways:
 *
 *  - perf: a PERF_COUNT_HW_INSTRUCTIONS counter, user space only
 *    (instructions:u), `inherit` so worker threads count too, scaled for
 *    multiplexing. Where the machine has no PMU it cannot be opened
 *    (ENOENT): the figure is then unsupported, never 0.
 *  - callgrind: the worker runs under `valgrind --tool=callgrind
 *    --instr-atstart=no`; client requests (Debian's valgrind headers)
 *    switch instrumentation on right before the measured loop and off
 *    after it. Callgrind writes the count to its output file, which the
 *    parent reads. Single-threaded workloads only: callgrind runs one
 *    thread at a time, so threads would count their waits for each other,
 *    which depend on scheduling.
 * Either way the harness's pauses (chunk hand-overs, samples, phase ends)
 * are left out, as they are from the time figures: the counter is stopped
 * (perf) or collection toggled off (callgrind) around each.
 *
 * Without <valgrind/callgrind.h> at build time (package `valgrind`) the
 * callgrind way is not compiled in: instr_open fails with ENOSYS and the
 * run fails saying so. */
#ifndef ALLOCSCOPE_INSTR_COUNT_H
#define ALLOCSCOPE_INSTR_COUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "worker_protocol.h"

struct instr_counter {
    uint32_t method; /* enum instr_method */
    int fd;          /* perf: the counter; else -1 */
    bool running;    /* between instr_start and instr_stop */
};

/* Before any worker thread exists. Returns 0, or -errno (counting is then
 * off: instr_stop gives METRIC_UNSUPPORTED). */
int instr_open(struct instr_counter *ic, uint32_t method);

/* Right before the first measured op / right after the last one. */
void instr_start(struct instr_counter *ic);
uint64_t instr_stop(struct instr_counter *ic); /* perf: the count, else
                                                  METRIC_UNSUPPORTED */

/* Around a pause of the harness (no-ops outside start..stop). */
void instr_pause(struct instr_counter *ic);
void instr_resume(struct instr_counter *ic);

/* Whether this worker was built with the callgrind client requests. */
bool instr_callgrind_built(void);

#endif
