/* trace_reader.c - opening a trace, the event loop, closing (the steps
 * are in trace_internal.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trace_internal.h"
#include "xalloc.h"

static struct trace_reader *reader_new(FILE *f, const char *name)
{
    struct trace_reader *r = xcalloc(1, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->in = trace_input_new(f);
    r->free_objects = NO_OBJECT;
    u64_map_init(&r->thread_index);
    u64_map_init(&r->live);
    return r;
}

struct trace_reader *trace_open_stream(FILE *f, const char *name, char *err, size_t errlen)
{
    struct trace_reader *r = reader_new(f, name);
    if (trace_decode_header(r) < 0) {
        snprintf(err, errlen, "%s", r->error);
        trace_close(r);
        return NULL;
    }
    return r;
}

struct trace_reader *trace_open(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (!f) {
        snprintf(err, errlen, "%s: offset 0: cannot open the trace: %s", path, strerror(errno));
        return NULL;
    }
    struct trace_reader *r = trace_open_stream(f, path, err, errlen);
    if (!r) {
        fclose(f);
        return NULL;
    }
    r->own_file = f;
    return r;
}

/* The stream has ended at a record boundary: how did the trace end? */
static void stream_ended(struct trace_reader *r)
{
    r->finished = true;
    if (r->status.end == TRACE_END_CUT || r->after_end)
        return;
    r->status.cut_offset = trace_input_offset(r->in);
    if (r->status.execs > 0 && !trace_input_cut(r->in) && r->last_was_exec) {
        r->status.end = TRACE_END_EXEC;
        return;
    }
    r->status.end = TRACE_END_CUT;
    snprintf(r->status.cut_reason, sizeof r->status.cut_reason, "%s",
             trace_input_cut(r->in)
                 ? "the file ends inside a zstd frame (it was cut short)"
                 : "the trace ends without its END record (the program was killed or crashed)");
}

int trace_next(struct trace_reader *r, struct trace_event *ev)
{
    if (r->error[0])
        return -1;
    for (;;) {
        if (r->out_len > 0) {
            *ev = r->out[r->out_head];
            r->out_head = (r->out_head + 1) % OUT_EVENTS;
            r->out_len--;
            return 1;
        }
        struct item it;
        if (trace_merge_pop(r, r->finished, &it)) {
            if (trace_resolve(r, &it) < 0)
                return -1;
            continue;
        }
        if (r->finished) {
            if (!r->resolve_finished) {
                trace_resolve_finish(r);
                r->resolve_finished = true;
                r->status.hash = trace_input_hash(r->in);
                r->status.file_bytes = trace_input_file_bytes(r->in);
            }
            return 0;
        }
        uint64_t execs = r->status.execs;
        int rc = trace_decode_record(r);
        if (rc < 0)
            return -1;
        if (rc == 1)
            r->last_was_exec = r->status.execs != execs;
        if (rc == 0 || r->finished)
            stream_ended(r);
    }
}

const char *trace_error(const struct trace_reader *r)
{
    return r->error;
}

const struct trace_header *trace_header(const struct trace_reader *r)
{
    return &r->header;
}

const struct trace_status *trace_status(const struct trace_reader *r)
{
    return &r->status;
}

void trace_close(struct trace_reader *r)
{
    if (!r)
        return;
    trace_merge_free(r);
    trace_resolve_free(r);
    u64_map_free(&r->thread_index);
    free(r->threads);
    free(r->header_store);
    trace_input_free(r->in);
    if (r->own_file)
        fclose(r->own_file);
    free(r);
}
