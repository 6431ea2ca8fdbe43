/* opsource.c - see opsource.h: a tagged choice between the two sources. */
#include "opsource.h"

#include <stdio.h>
#include <stdlib.h>

#include "trace_convert.h"

struct opsource {
    struct opgen *gen;           /* a YAML workload, or */
    struct trace_convert *trace; /* a trace workload */
    uint32_t threads;
};

struct opsource *opsource_new(const struct workload_spec *w, const struct trace_facts *facts,
                              size_t chunk_ops, char *errbuf, size_t errlen)
{
    struct opsource *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errbuf, errlen, "out of memory for the op stream");
        return NULL;
    }
    if (w->trace_path) {
        s->trace = trace_convert_new(w, facts, chunk_ops, errbuf, errlen);
        s->threads = s->trace ? trace_convert_threads(s->trace) : 0;
    } else {
        s->gen = opgen_new(w, chunk_ops, errbuf, errlen);
        s->threads = w->threads;
    }
    if (!s->gen && !s->trace) {
        free(s);
        return NULL;
    }
    return s;
}

uint32_t opsource_threads(const struct opsource *s)
{
    return s->threads;
}

int opsource_next_chunk(struct opsource *s, struct opwindow_header *win, char *errbuf,
                        size_t errlen)
{
    return s->gen ? opgen_next_chunk(s->gen, win, errbuf, errlen)
                  : trace_convert_next_chunk(s->trace, win, errbuf, errlen);
}

int opsource_drain(struct opsource *s, char *errbuf, size_t errlen)
{
    return s->gen ? opgen_drain(s->gen, errbuf, errlen)
                  : trace_convert_drain(s->trace, errbuf, errlen);
}

const struct opgen_totals *opsource_totals(const struct opsource *s)
{
    return s->gen ? opgen_totals(s->gen) : trace_convert_totals(s->trace);
}

void opsource_free(struct opsource *s)
{
    if (!s)
        return;
    opgen_free(s->gen);
    trace_convert_free(s->trace);
    free(s);
}

int opsource_stream_totals(const struct workload_spec *w, const struct trace_facts *facts,
                           struct opgen_totals *out, char *errbuf, size_t errlen)
{
    struct opsource *s = opsource_new(w, facts, 0, errbuf, errlen);
    if (!s)
        return -1;
    int rc = opsource_drain(s, errbuf, errlen);
    *out = *opsource_totals(s);
    opsource_free(s);
    return rc;
}
