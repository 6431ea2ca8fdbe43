/* trace_decode.c - the header and the records of a decoded trace stream
 * (layout in trace_format.h), checked as they are read: every count, id
 * and length is bounded before it is used, so a corrupt file gives a
 * message and never a crash or a huge allocation. Chunks become items in
 * their thread's queue; a chunk the stream ends inside gives its complete
 * events and marks the trace as cut. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_internal.h"
#include "xalloc.h"

/* Bytes enough for any record's fixed part: a tag and 8 varints. */
#define RECORD_PREFIX_MAX (1 + 8 * 10)

int trace_fail(struct trace_reader *r, uint64_t offset, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->error, sizeof r->error, "%s: offset %llu: %s", r->name,
             (unsigned long long)offset, msg);
    return -1;
}

static int input_failed(struct trace_reader *r)
{
    return trace_fail(r, trace_input_offset(r->in), "%s", trace_input_error(r->in));
}

static void cut(struct trace_reader *r, uint64_t offset, const char *why)
{
    r->status.end = TRACE_END_CUT;
    r->status.cut_offset = offset;
    snprintf(r->status.cut_reason, sizeof r->status.cut_reason, "%s", why);
    r->finished = true;
}

/* ---- threads -------------------------------------------------------------- */

struct rthread *trace_thread(struct trace_reader *r, uint32_t id, bool create)
{
    uint64_t *at = u64_map_get(&r->thread_index, id);
    if (at)
        return &r->threads[*at];
    if (!create)
        return NULL;
    if (r->thread_count == r->thread_cap) {
        r->thread_cap = r->thread_cap ? 2 * r->thread_cap : 16;
        r->threads = xrealloc(r->threads, r->thread_cap * sizeof *r->threads);
    }
    struct rthread *t = &r->threads[r->thread_count];
    memset(t, 0, sizeof *t);
    t->id = id;
    t->heap_pos = -1;
    t->lane = NO_LANE;
    u64_map_put(&r->thread_index, id, r->thread_count++);
    r->status.threads = r->thread_count;
    return t;
}

/* ---- the header --------------------------------------------------------------- */

/* A uvar from the decoded stream at the current position. Returns 1, 0 at
 * the end of the stream, -1 on error. */
static int read_uvar(struct trace_reader *r, uint64_t *v)
{
    int rc = trace_input_need(r->in, 10);
    if (rc < 0)
        return input_failed(r);
    const uint8_t *p = trace_input_peek(r->in), *end = p + trace_input_avail(r->in);
    if (trace_get_uvar(&p, end, v) < 0) {
        if (rc == 0)
            return 0;
        return trace_fail(r, trace_input_offset(r->in), "a number longer than 64 bits");
    }
    trace_input_skip(r->in, (size_t)(p - trace_input_peek(r->in)));
    return 1;
}

static int header_number(struct trace_reader *r, uint64_t offset, const char *key,
                         const char *text, uint64_t *out)
{
    char *end;
    if (!text[0] || text[0] == '-')
        return trace_fail(r, offset, "header field '%s' is not a number: '%s'", key, text);
    *out = strtoull(text, &end, 10);
    if (*end)
        return trace_fail(r, offset, "header field '%s' is not a number: '%s'", key, text);
    return 0;
}

int trace_decode_header(struct trace_reader *r)
{
    int rc = trace_input_need(r->in, TRACE_MAGIC_LEN + 4);
    if (rc < 0) {
        if (trace_input_not_zstd(r->in))
            return trace_fail(r, 0, "not an allocscope trace: not zstd-compressed (traces are "
                                    "written by allocscope record)");
        return input_failed(r);
    }
    if (rc == 0) {
        if (trace_input_avail(r->in) == 0 && trace_input_file_bytes(r->in) == 0)
            return trace_fail(r, 0, "the file is empty: no trace header (did the program "
                                    "load the recorder?)");
        return trace_fail(r, 0, "the trace ends inside its header");
    }
    const uint8_t *p = trace_input_peek(r->in);
    if (memcmp(p, TRACE_MAGIC, TRACE_MAGIC_LEN) != 0)
        return trace_fail(r, 0, "not an allocscope trace (it does not start with '%s')",
                          TRACE_MAGIC);
    unsigned version = p[8] | (unsigned)p[9] << 8;
    if (version != TRACE_VERSION)
        return trace_fail(r, 8, "trace format version %u; this allocscope reads version %u",
                          version, TRACE_VERSION);
    if (p[10] || p[11])
        return trace_fail(r, 10, "reserved header bytes are not 0");
    r->header.version = version;
    trace_input_skip(r->in, TRACE_MAGIC_LEN + 4);

    uint64_t count;
    uint64_t at = trace_input_offset(r->in);
    if ((rc = read_uvar(r, &count)) <= 0)
        return rc < 0 ? -1 : trace_fail(r, at, "the trace ends inside its header");
    if (count > TRACE_MAX_HEADER_FIELDS)
        return trace_fail(r, at, "%llu header fields (at most %u)", (unsigned long long)count,
                          TRACE_MAX_HEADER_FIELDS);
    /* Keys and values, copied with a NUL after each, offsets kept until
     * the store stops moving. */
    size_t used = 0, cap = 256;
    char *store = xcalloc(cap, 1);
    size_t offs[2 * TRACE_MAX_HEADER_FIELDS], lens[2 * TRACE_MAX_HEADER_FIELDS];
    uint64_t field_at[TRACE_MAX_HEADER_FIELDS];
    for (uint64_t i = 0; i < 2 * count; i++) {
        uint64_t len;
        at = trace_input_offset(r->in);
        if (i % 2 == 0)
            field_at[i / 2] = at;
        if ((rc = read_uvar(r, &len)) <= 0 || len > TRACE_MAX_HEADER_BYTES - used ||
            (rc = trace_input_need(r->in, (size_t)len)) <= 0) {
            free(store);
            if (rc < 0)
                return r->error[0] ? -1 : input_failed(r);
            if (rc > 0)
                return trace_fail(r, at, "the header is larger than %u bytes",
                                  TRACE_MAX_HEADER_BYTES);
            return trace_fail(r, at, "the trace ends inside its header");
        }
        if (used + len + 1 > cap) {
            while (used + len + 1 > cap)
                cap *= 2;
            store = xrealloc(store, cap);
        }
        memcpy(store + used, trace_input_peek(r->in), (size_t)len);
        store[used + len] = '\0';
        offs[i] = used;
        lens[i] = (size_t)len;
        used += (size_t)len + 1;
        trace_input_skip(r->in, (size_t)len);
    }
    r->header_store = store;
    struct trace_header *h = &r->header;
    h->program = h->host = h->clock = h->recorder = h->argv = "";
    bool have_stamp = false, have_mono = false;
    for (uint64_t i = 0; i < count; i++) {
        const char *key = store + offs[2 * i], *val = store + offs[2 * i + 1];
        size_t vlen = lens[2 * i + 1];
        uint64_t *num = NULL;
        if (strcmp(key, "program") == 0)
            h->program = val;
        else if (strcmp(key, "host") == 0)
            h->host = val;
        else if (strcmp(key, "clock") == 0)
            h->clock = val;
        else if (strcmp(key, "recorder") == 0)
            h->recorder = val;
        else if (strcmp(key, "argv") == 0) {
            h->argv = val;
            h->argv_len = vlen;
        } else if (strcmp(key, "pid") == 0)
            num = &h->pid;
        else if (strcmp(key, "start_unix_ns") == 0)
            num = &h->start_unix_ns;
        else if (strcmp(key, "start_stamp") == 0)
            num = &h->start_stamp, have_stamp = true;
        else if (strcmp(key, "start_mono_ns") == 0)
            num = &h->start_mono_ns, have_mono = true;
        else if (strcmp(key, "page_size") == 0)
            num = &h->page_size;
        if (num && header_number(r, field_at[i], key, val, num) < 0)
            return -1;
    }
    if (strcmp(h->clock, "tsc") != 0 && strcmp(h->clock, "monotonic") != 0)
        return trace_fail(r, at, "the header's clock is '%s', not tsc or monotonic", h->clock);
    if (!have_stamp || !have_mono)
        return trace_fail(r, at, "the header lacks start_stamp or start_mono_ns");
    if (!h->page_size || (h->page_size & (h->page_size - 1)))
        h->page_size = 4096;
    r->pair_stamp = h->start_stamp;
    r->pair_mono = h->start_mono_ns;
    return 0;
}

/* ---- events -------------------------------------------------------------------- */

static bool ends_realloc(unsigned kind)
{
    return kind == TEV_REALLOC_END || kind == TEV_REALLOCARRAY_END;
}

/* Decode one event of thread t at [*p, end) into an item. Returns 1, 0
 * when the bytes end inside it, -1 on error. */
static int decode_event(struct trace_reader *r, struct rthread *t, struct trace_decoder *st,
                        const uint8_t **p, const uint8_t *end, uint64_t offset,
                        struct item *it)
{
    if (*p >= end)
        return 0;
    unsigned b = *(*p)++;
    unsigned kind = b & TEV_KIND_MASK, flags = b & ~TEV_KIND_MASK & 0xffu;
    const char *fields = trace_event_fields(kind);
    if (!fields)
        return trace_fail(r, offset, "thread %u event %llu: unknown event kind %u", t->id,
                          (unsigned long long)t->decoded, kind);
    if (flags & TEV_RESERVED_MASK)
        return trace_fail(r, offset, "thread %u event %llu: reserved flag bits set (0x%02x)",
                          t->id, (unsigned long long)t->decoded, flags);
    memset(it, 0, sizeof *it);
    uint64_t v;
    if (trace_get_uvar(p, end, &v) < 0)
        return *p >= end ? 0 : trace_fail(r, offset, "a number longer than 64 bits");
    it->stamp = st->stamp + (uint64_t)trace_unzigzag(v);
    bool has_addr = false;
    for (const char *f = fields; *f; f++) {
        if (trace_get_uvar(p, end, &v) < 0)
            return *p >= end ? 0 : trace_fail(r, offset, "a number longer than 64 bits");
        switch (*f) {
        case 'n':
        case 'a':
            it->aux = v;
            break;
        case 's':
            it->size = v;
            break;
        case 'p':
            has_addr = true;
            if (flags & TEV_FLAG_RECENT) {
                if (flags & TEV_FLAG_A16)
                    return trace_fail(r, offset, "thread %u event %llu: both address flags set",
                                      t->id, (unsigned long long)t->decoded);
                if (v >= st->n || v >= TRACE_RECENT_WINDOW)
                    return trace_fail(r, offset, "thread %u event %llu: an address %llu back, "
                                                 "of %llu in the chunk",
                                      t->id, (unsigned long long)t->decoded,
                                      (unsigned long long)v, (unsigned long long)st->n);
                it->addr = st->ring[(st->n - 1 - v) % TRACE_RECENT_WINDOW];
            } else {
                int64_t da = trace_unzigzag(v);
                uint64_t d = (flags & TEV_FLAG_A16) ? (uint64_t)da * 16 : (uint64_t)da;
                it->addr = st->addr + d;
                st->addr = it->addr;
            }
            st->ring[st->n++ % TRACE_RECENT_WINDOW] = it->addr;
            break;
        }
    }
    if ((flags & (TEV_FLAG_A16 | TEV_FLAG_RECENT)) && !has_addr)
        return trace_fail(r, offset, "thread %u event %llu: an address flag on an event "
                                     "without an address", t->id, (unsigned long long)t->decoded);
    if (kind == TEV_USABLE_SIZE) { /* 'n' is its result, before the address */
        it->size = it->aux;
        it->aux = 0;
    }
    if (t->in_realloc != ends_realloc(kind))
        return trace_fail(r, offset, t->in_realloc
                                         ? "thread %u event %llu: a realloc's end is missing"
                                         : "thread %u event %llu: a realloc's end without "
                                           "its beginning",
                          t->id, (unsigned long long)t->decoded);
    t->in_realloc = kind == TEV_REALLOC_BEGIN;
    st->stamp = it->stamp;
    it->kind = (uint8_t)kind;
    it->flags = (uint8_t)flags;
    it->release = kind == TEV_FREE || kind == TEV_REALLOC_BEGIN;
    it->seq = t->decoded;
    it->thread = (uint32_t)(t - r->threads);
    return 1;
}

static int decode_chunk(struct trace_reader *r, uint64_t offset, int prefix_rc)
{
    const uint8_t *start = trace_input_peek(r->in), *p = start + 1;
    const uint8_t *end = start + trace_input_avail(r->in);
    uint64_t id, first, count, bytes;
    if (trace_get_uvar(&p, end, &id) < 0 || trace_get_uvar(&p, end, &first) < 0 ||
        trace_get_uvar(&p, end, &count) < 0 || trace_get_uvar(&p, end, &bytes) < 0) {
        if (prefix_rc == 0) {
            cut(r, offset, "the trace ends inside a chunk's header");
            return 0;
        }
        return trace_fail(r, offset, "a malformed chunk header");
    }
    if (id > UINT32_MAX)
        return trace_fail(r, offset, "thread id %llu is out of range", (unsigned long long)id);
    if (count == 0 || count > TRACE_MAX_CHUNK_EVENTS)
        return trace_fail(r, offset, "a chunk of %llu events (1 to %u)",
                          (unsigned long long)count, TRACE_MAX_CHUNK_EVENTS);
    if (bytes < 2 * count || bytes > count * TRACE_MAX_EVENT_BYTES)
        return trace_fail(r, offset, "a chunk of %llu events in %llu bytes",
                          (unsigned long long)count, (unsigned long long)bytes);
    struct rthread *t = trace_thread(r, (uint32_t)id, true);
    if (t->exited)
        return trace_fail(r, offset, "thread %u: events after its EXIT record", t->id);
    if (first != t->decoded)
        return trace_fail(r, offset,
                          "thread %u: the chunk starts at event %llu, expected %llu (events "
                          "lost or repeated)",
                          t->id, (unsigned long long)first, (unsigned long long)t->decoded);
    size_t prefix = (size_t)(p - start);
    int rc = trace_input_need(r->in, prefix + (size_t)bytes);
    if (rc < 0)
        return input_failed(r);
    bool whole = rc == 1;
    trace_input_skip(r->in, prefix);
    p = trace_input_peek(r->in);
    const uint8_t *body = p;
    end = p + (whole ? (size_t)bytes : trace_input_avail(r->in));
    struct trace_decoder *st = &r->chunk; /* 8 KiB: not on the stack */
    memset(st, 0, offsetof(struct trace_decoder, ring));
    for (uint64_t i = 0; i < count; i++) {
        struct item it;
        uint64_t at = offset + prefix + (uint64_t)(p - body);
        const uint8_t *before = p;
        rc = decode_event(r, t, st, &p, end, at, &it);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            if (whole)
                return trace_fail(r, at, "thread %u: the chunk holds fewer than its %llu events",
                                  t->id, (unsigned long long)count);
            trace_input_skip(r->in, (size_t)(before - body));
            cut(r, at, "the trace ends inside a chunk (the program was killed, or the file "
                       "was cut)");
            return 0;
        }
        trace_queue_push(r, t, &it);
        t->decoded++;
        r->status.raw_events++;
    }
    if (!whole) { /* all its events, but not all its bytes */
        trace_input_skip(r->in, (size_t)(p - body));
        cut(r, trace_input_offset(r->in), "the trace ends inside a chunk");
        return 0;
    }
    if (p != end)
        return trace_fail(r, offset + prefix + (uint64_t)(p - body),
                          "thread %u: %zu bytes after the chunk's last event", t->id,
                          (size_t)(end - p));
    trace_input_skip(r->in, (size_t)bytes);
    return 1;
}

/* The fixed varints of a record after its tag. */
static int record_numbers(struct trace_reader *r, uint64_t offset, int prefix_rc, uint64_t *v,
                          size_t n, size_t *len)
{
    const uint8_t *start = trace_input_peek(r->in), *p = start + 1;
    const uint8_t *end = start + trace_input_avail(r->in);
    for (size_t i = 0; i < n; i++)
        if (trace_get_uvar(&p, end, &v[i]) < 0) {
            if (prefix_rc == 0) {
                cut(r, offset, "the trace ends inside a record");
                return 0;
            }
            return trace_fail(r, offset, "a malformed record");
        }
    *len = (size_t)(p - start);
    return 1;
}

static void clock_pair(struct trace_reader *r, uint64_t stamp, uint64_t mono)
{
    if (mono > r->pair_mono && stamp > r->pair_stamp) {
        r->pair_stamp = stamp;
        r->pair_mono = mono;
    }
}

int trace_decode_record(struct trace_reader *r)
{
    int rc = trace_input_need(r->in, RECORD_PREFIX_MAX);
    if (rc < 0)
        return input_failed(r);
    uint64_t offset = trace_input_offset(r->in);
    if (trace_input_avail(r->in) == 0)
        return 0;
    unsigned tag = trace_input_peek(r->in)[0];
    if (r->after_end)
        return trace_fail(r, offset, "a record after the END record");
    uint64_t v[8];
    size_t len;
    struct rthread *t;
    switch (tag) {
    case TREC_CHUNK:
        return decode_chunk(r, offset, rc);
    case TREC_DRAIN:
        if ((rc = record_numbers(r, offset, rc, v, 2, &len)) <= 0)
            return rc;
        r->drains[0] = r->drains[1];
        r->drains[1] = r->drains[2];
        r->drains[2] = v[0];
        r->drain_count++;
        clock_pair(r, v[0], v[1]);
        break;
    case TREC_EXIT:
        if ((rc = record_numbers(r, offset, rc, v, 2, &len)) <= 0)
            return rc;
        t = v[0] <= UINT32_MAX ? trace_thread(r, (uint32_t)v[0], false) : NULL;
        if (!t)
            return trace_fail(r, offset, "EXIT of thread %llu, which made no call",
                              (unsigned long long)v[0]);
        if (t->exited || v[1] != t->decoded)
            return trace_fail(r, offset, "EXIT of thread %u after %llu events; the trace "
                                         "holds %llu of it",
                              t->id, (unsigned long long)v[1], (unsigned long long)t->decoded);
        t->exited = true;
        t->exit_events = v[1];
        if (t->merged == t->exit_events && t->lane != NO_LANE) {
            r->lane_used[t->lane] = false;
            t->lane = NO_LANE;
        }
        break;
    case TREC_EXEC:
        if ((rc = record_numbers(r, offset, rc, v, 3, &len)) <= 0)
            return rc;
        if (v[2] > TRACE_MAX_PATH)
            return trace_fail(r, offset, "an exec path of %llu bytes", (unsigned long long)v[2]);
        if ((rc = trace_input_need(r->in, len + (size_t)v[2])) <= 0) {
            if (rc < 0)
                return input_failed(r);
            cut(r, offset, "the trace ends inside a record");
            return 0;
        }
        len += (size_t)v[2];
        r->status.execs++;
        break;
    case TREC_END:
        if ((rc = record_numbers(r, offset, rc, v, 7, &len)) <= 0)
            return rc;
        if (v[0] >= TEND_KIND_END)
            return trace_fail(r, offset, "END gives an unknown reason %llu",
                              (unsigned long long)v[0]);
        if (v[3] != r->status.raw_events)
            return trace_fail(r, offset, "END counts %llu events; the trace holds %llu",
                              (unsigned long long)v[3], (unsigned long long)r->status.raw_events);
        r->status.end = v[0] == TEND_EXIT ? TRACE_END_EXIT : TRACE_END_UNDERSCORE_EXIT;
        r->status.end_events = v[3];
        r->status.boot_calls = v[5];
        r->status.nested_calls = v[6];
        clock_pair(r, v[1], v[2]);
        r->after_end = true;
        break;
    default:
        return trace_fail(r, offset, "unknown record type %u", tag);
    }
    trace_input_skip(r->in, len);
    return 1;
}
