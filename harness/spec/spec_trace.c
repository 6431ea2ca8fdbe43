/* spec_trace.c - a trace workload: `trace: FILE` replays a recorded
 * allocation trace (docs/workloads.md, Trace workloads).
 *
 * The trace decides the ops and the threads, so the keys that shape a
 * synthetic stream are errors next to `trace`; what remains is how the
 * replay runs: `touch`, `pace`, `time_scale`, and the run keys every
 * workload has. The file must exist and be readable here; its content is
 * checked by the trace reader before anything runs (allocscope run,
 * allocscope check). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec_parse.h"

static const char *const decided_by_trace[] = {
    "threads", "thread_pattern", "cross_thread_free", "phases", "ops", "sizes", "mix",
    "free_order", "live", "align", "realloc_factor", NULL,
};
static const char *const pace_names[] = {"asap", "recorded", NULL};

#define MAX_TIME_SCALE 1000.0

/* `path` relative to the folder of the file that names it. */
static char *resolve(const char *file, const char *path)
{
    const char *slash = strrchr(file, '/');
    char *out;
    if (path[0] == '/' || !slash)
        out = strdup(path);
    else if (asprintf(&out, "%.*s/%s", (int)(slash - file), file, path) < 0)
        out = NULL;
    return out;
}

int spec_read_trace_workload(const struct yctx *c, const struct ynode *map,
                             struct workload_spec *w, bool *is_trace)
{
    const struct ynode *trace = ymap_get(map, "trace"), *v;
    *is_trace = trace != NULL;
    if (!trace) {
        static const char *const only_trace[] = {"pace", "time_scale", NULL};
        for (size_t i = 0; only_trace[i]; i++)
            if ((v = ymap_key(map, only_trace[i])))
                return yfail(c, v, "'%s' applies to trace workloads only (with 'trace: FILE')",
                             only_trace[i]);
        return 0;
    }
    for (size_t i = 0; decided_by_trace[i]; i++)
        if ((v = ymap_key(map, decided_by_trace[i])))
            return yfail(c, v, "'%s' does not apply to a trace workload: the trace decides "
                               "what runs", decided_by_trace[i]);
    char *rel = NULL;
    if (yread_string(c, "trace", trace, &rel) != 0)
        return -1;
    if (!rel[0]) {
        free(rel);
        return yfail(c, trace, "'trace' is empty: give the trace file");
    }
    w->trace_path = resolve(c->file, rel);
    free(rel);
    if (!w->trace_path)
        return yfail(c, trace, "out of memory");
    if (access(w->trace_path, R_OK) != 0)
        return yfail(c, trace, "cannot read the trace '%s': %s", w->trace_path, strerror(errno));

    int pace = PACE_ASAP;
    if ((v = ymap_get(map, "pace")) && yread_choice(c, "pace", v, pace_names, &pace) != 0)
        return -1;
    w->pace = (enum trace_pace)pace;
    w->time_scale = 1.0;
    if ((v = ymap_get(map, "time_scale"))) {
        if (w->pace != PACE_RECORDED)
            return yfail(c, v, "'time_scale' applies to 'pace: recorded'");
        if (yread_double(c, "time_scale", v, 0, true, MAX_TIME_SCALE, &w->time_scale) != 0)
            return -1;
    }

    /* One phase: the trace, with the workload's touch. */
    if (!(w->phases = calloc(1, sizeof *w->phases)))
        return yfail(c, map, "out of memory");
    w->phase_count = 1;
    struct phase_spec *p = &w->phases[0];
    spec_phase_init(p);
    unsigned set = 0;
    if (spec_read_phase_keys(c, map, p, &set) != 0)
        return -1;
    p->kind = PHASE_TRACE;
    p->pos = w->pos;
    if (!(p->name = strdup("trace")))
        return yfail(c, map, "out of memory");
    w->threads = 0;
    return 0;
}
