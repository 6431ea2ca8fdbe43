/* trace_fidelity.c - see trace_fidelity.h. */
#include "trace_fidelity.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

static void note(char *out, size_t len, size_t *at, const char *fmt, ...)
{
    if (*at >= len)
        return;
    if (*at)
        *at += (size_t)snprintf(out + *at, len - *at, "; ");
    va_list ap;
    va_start(ap, fmt);
    if (*at < len)
        *at += (size_t)vsnprintf(out + *at, len - *at, fmt, ap);
    va_end(ap);
}

bool trace_fidelity_check(const struct trace_facts *f, bool teardown,
                          const struct opgen_totals *stream, const struct result_region *res,
                          char *out, size_t outlen)
{
    size_t at = 0;
    out[0] = '\0';
    uint64_t expect = f->events + f->wide_reallocs + (teardown ? f->final_live_objects : 0);
    if (!stream->complete)
        note(out, outlen, &at, "the op stream was not converted whole");
    else if (stream->ops != expect)
        note(out, outlen, &at, "converted %" PRIu64 " ops, the recording has %" PRIu64,
             stream->ops, expect);
    if (res->ops_done != expect)
        note(out, outlen, &at, "executed %" PRIu64 " ops, the recording has %" PRIu64,
             res->ops_done, expect);
    if (stream->complete && stream->peak_live_bytes != f->peak_live_bytes)
        note(out, outlen, &at, "peak live %" PRIu64 " bytes, the recording's %" PRIu64,
             stream->peak_live_bytes, f->peak_live_bytes);
    bool seen = false;
    uint64_t n = res->sample_count < res->sample_capacity ? res->sample_count
                                                          : res->sample_capacity;
    for (uint64_t i = 0; i < n; i++) {
        const struct sample *s = &res->samples[i];
        if (s->kind != SAMPLE_PHASE_END || s->phase != 0)
            continue;
        seen = true;
        if ((uint64_t)s->live_bytes != f->final_live_bytes)
            note(out, outlen, &at,
                 "%" PRId64 " bytes live when the trace ended, the recording left %" PRIu64,
                 s->live_bytes, f->final_live_bytes);
    }
    if (!seen)
        note(out, outlen, &at, "no sample at the end of the trace");
    if (at == 0)
        snprintf(out, outlen, "ok");
    return at == 0;
}
