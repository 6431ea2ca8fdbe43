/* trace_build.h - writing small traces by hand for the reader's and the
 * converter's tests: the decompressed stream record by record (with the
 * format's own encoder), then compressed into a file or a memory stream. */
#ifndef TRACE_BUILD_H
#define TRACE_BUILD_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "trace_format.h"

struct tb {
    uint8_t *buf;
    size_t len, cap;
    uint64_t events;
    void *z; /* compressed copy, for tb_open */
};

/* One event of a chunk. */
struct tb_ev {
    unsigned kind, flags;
    uint64_t stamp, addr, n, align, size;
};

static inline void tb_put(struct tb *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 256;
        b->buf = realloc(b->buf, b->cap);
        if (!b->buf)
            abort();
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}

static inline void tb_uvar(struct tb *b, uint64_t v)
{
    uint8_t tmp[10];
    tb_put(b, tmp, trace_put_uvar(tmp, v));
}

static inline void tb_text(struct tb *b, const char *s)
{
    tb_uvar(b, strlen(s));
    tb_put(b, s, strlen(s));
}

/* The header: monotonic clock starting at stamp 0, 4 KiB pages. */
static inline void tb_header(struct tb *b)
{
    memset(b, 0, sizeof *b);
    tb_put(b, TRACE_MAGIC, TRACE_MAGIC_LEN);
    uint8_t v[4] = {TRACE_VERSION, 0, 0, 0};
    tb_put(b, v, 4);
    const char *fields[][2] = {{"program", "test"}, {"clock", "monotonic"},
                               {"start_stamp", "0"}, {"start_mono_ns", "0"},
                               {"page_size", "4096"}};
    tb_uvar(b, 5);
    for (int i = 0; i < 5; i++) {
        tb_text(b, fields[i][0]);
        tb_text(b, fields[i][1]);
    }
}

static inline void tb_chunk(struct tb *b, uint32_t thread, uint64_t first, const struct tb_ev *ev,
                     size_t n)
{
    uint8_t *body = malloc(n * TRACE_MAX_EVENT_BYTES + 1);
    static struct trace_encoder st;
    trace_encoder_chunk(&st);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += trace_encode_event(body + len, &st, ev[i].kind, ev[i].flags, ev[i].stamp,
                                  ev[i].addr, ev[i].n, ev[i].align, ev[i].size);
    uint8_t tag = TREC_CHUNK;
    tb_put(b, &tag, 1);
    tb_uvar(b, thread);
    tb_uvar(b, first);
    tb_uvar(b, n);
    tb_uvar(b, len);
    tb_put(b, body, len);
    free(body);
    b->events += n;
}

static inline void tb_record(struct tb *b, unsigned tag, const uint64_t *v, size_t n)
{
    uint8_t t = (uint8_t)tag;
    tb_put(b, &t, 1);
    for (size_t i = 0; i < n; i++)
        tb_uvar(b, v[i]);
}

static inline void tb_drain(struct tb *b, uint64_t stamp)
{
    uint64_t v[2] = {stamp, stamp};
    tb_record(b, TREC_DRAIN, v, 2);
}

static inline void tb_exit(struct tb *b, uint32_t thread, uint64_t events)
{
    uint64_t v[2] = {thread, events};
    tb_record(b, TREC_EXIT, v, 2);
}

static inline void tb_end(struct tb *b, uint32_t threads)
{
    uint64_t v[7] = {TEND_EXIT, 0, 0, b->events, threads, 0, 0};
    tb_record(b, TREC_END, v, 7);
}

static inline void *tb_compress(const struct tb *b, size_t *n)
{
    size_t cap = ZSTD_compressBound(b->len);
    void *z = malloc(cap);
    *n = ZSTD_compress(z, cap, b->buf, b->len, 3);
    if (ZSTD_isError(*n))
        abort();
    return z;
}

/* The trace as a stream to read (valid until tb_free). */
static inline FILE *tb_open(struct tb *b)
{
    size_t n;
    free(b->z);
    b->z = tb_compress(b, &n);
    return fmemopen(b->z, n, "rb");
}

static inline int tb_write(const struct tb *b, const char *path)
{
    size_t n;
    void *z = tb_compress(b, &n);
    FILE *f = fopen(path, "wb");
    int rc = f && fwrite(z, 1, n, f) == n ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    free(z);
    return rc;
}

static inline void tb_free(struct tb *b)
{
    free(b->buf);
    free(b->z);
    memset(b, 0, sizeof *b);
}

#endif
