/* opsource.h - where a run's ops come from: the synthetic generator
 * (opgen.c) for a YAML workload, the trace converter (trace_convert.c) for
 * a trace workload (`trace: FILE`). Both write the same chunks into the
 * same window (opstream_format.h), so the runner and the worker treat
 * every workload alike. */
#ifndef ALLOCSCOPE_OPSOURCE_H
#define ALLOCSCOPE_OPSOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "opstream.h"
#include "trace_facts.h"

struct opsource;

/* The source of w's ops, chunks of at most chunk_ops (0 = the default).
 * For a trace workload, `facts` are its trace's (trace_scan), or NULL to
 * scan it here. Returns NULL with a message on failure. */
struct opsource *opsource_new(const struct workload_spec *w, const struct trace_facts *facts,
                              size_t chunk_ops, char *errbuf, size_t errlen);

/* The worker threads its stream needs (the window is made for them). */
uint32_t opsource_threads(const struct opsource *s);

/* As opgen_next_chunk, opgen_drain, opgen_totals, opgen_free. */
int opsource_next_chunk(struct opsource *s, struct opwindow_header *win, char *errbuf,
                        size_t errlen);
int opsource_drain(struct opsource *s, char *errbuf, size_t errlen);
const struct opgen_totals *opsource_totals(const struct opsource *s);
void opsource_free(struct opsource *s);

/* Generate w's whole stream once and return its totals (any workload). */
int opsource_stream_totals(const struct workload_spec *w, const struct trace_facts *facts,
                           struct opgen_totals *out, char *errbuf, size_t errlen);

#endif
