/* trace_fidelity.h - is a replay the recording? Every row of a trace
 * workload is checked (docs/results.md, trace_fidelity). */
#ifndef ALLOCSCOPE_TRACE_FIDELITY_H
#define ALLOCSCOPE_TRACE_FIDELITY_H

#include <stdbool.h>
#include <stddef.h>

#include "opstream.h"
#include "trace_facts.h"
#include "worker_protocol.h"

/* Compare a finished replay with its trace's facts (a separate pass of the
 * reader over the trace):
 *  - the ops the converter emitted and the ops the worker executed equal
 *    the recorded allocations, reallocs and frees, plus the teardown's
 *    frees of what the program left live (and one more op per realloc too
 *    wide for one op);
 *  - the stream's exact peak of live bytes equals the recording's;
 *  - the live bytes the worker itself counted when the trace phase ended
 *    equal what the recording left live.
 * Writes "ok" or what differs into `out`; returns whether all held. */
bool trace_fidelity_check(const struct trace_facts *f, bool teardown,
                          const struct opgen_totals *stream, const struct result_region *res,
                          char *out, size_t outlen);

#endif
