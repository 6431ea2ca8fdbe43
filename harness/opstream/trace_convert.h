/* trace_convert.h - a recorded trace as an op stream (see trace_convert.c);
 * used through opsource.h. */
#ifndef ALLOCSCOPE_TRACE_CONVERT_H
#define ALLOCSCOPE_TRACE_CONVERT_H

#include <stddef.h>

#include "opstream.h"
#include "trace_facts.h"

struct trace_convert;

struct trace_convert *trace_convert_new(const struct workload_spec *w,
                                        const struct trace_facts *facts, size_t chunk_ops,
                                        char *errbuf, size_t errlen);
uint32_t trace_convert_threads(const struct trace_convert *c);
int trace_convert_next_chunk(struct trace_convert *c, struct opwindow_header *win, char *errbuf,
                             size_t errlen);
int trace_convert_drain(struct trace_convert *c, char *errbuf, size_t errlen);
const struct opgen_totals *trace_convert_totals(const struct trace_convert *c);
void trace_convert_free(struct trace_convert *c);

#endif
