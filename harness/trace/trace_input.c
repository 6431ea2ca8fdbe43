/* trace_input.c - see trace_input.h. */
#include "trace_input.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "xalloc.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

struct trace_input {
    FILE *f;
    ZSTD_DCtx *dctx;
    uint8_t *zin; /* compressed bytes read from the file */
    size_t zin_cap, zin_pos, zin_len;
    bool file_eof;
    size_t frame_left; /* ZSTD_decompressStream's last result: 0 at a frame end */
    bool started;      /* any compressed byte seen */

    uint8_t *buf; /* decoded bytes: [pos, len) are unread */
    size_t cap, pos, len;
    uint64_t base; /* decoded offset of buf[0] */
    bool ended;    /* no more decoded bytes will come */
    char error[256];
    bool not_zstd; /* the first bytes are no zstd frame */

    uint64_t hash, file_bytes;
};

struct trace_input *trace_input_new(FILE *f)
{
    struct trace_input *in = xcalloc(1, sizeof *in);
    in->f = f;
    in->dctx = ZSTD_createDCtx();
    in->zin_cap = ZSTD_DStreamInSize();
    in->zin = xcalloc(in->zin_cap, 1);
    in->cap = 64 << 10;
    in->buf = xcalloc(in->cap, 1);
    in->hash = FNV_OFFSET;
    if (!in->dctx)
        xalloc_check(NULL);
    /* A bound on the window a frame may ask for: zstd's default limit
     * (128 MiB) is what the recorder can produce at any level. */
    ZSTD_DCtx_setParameter(in->dctx, ZSTD_d_windowLogMax, 27);
    return in;
}

void trace_input_free(struct trace_input *in)
{
    if (!in)
        return;
    ZSTD_freeDCtx(in->dctx);
    free(in->zin);
    free(in->buf);
    free(in);
}

static void read_file(struct trace_input *in)
{
    size_t n = fread(in->zin, 1, in->zin_cap, in->f);
    for (size_t i = 0; i < n; i++)
        in->hash = (in->hash ^ in->zin[i]) * FNV_PRIME;
    in->file_bytes += n;
    in->zin_pos = 0;
    in->zin_len = n;
    if (n == 0)
        in->file_eof = true;
}

/* Decode more bytes into buf (after making room). Returns 1 when some
 * came, 0 at the end, -1 on corrupt data. */
static int decode_more(struct trace_input *in, size_t want)
{
    if (in->ended)
        return 0;
    if (in->pos > 0) { /* keep only the unread bytes */
        memmove(in->buf, in->buf + in->pos, in->len - in->pos);
        in->base += in->pos;
        in->len -= in->pos;
        in->pos = 0;
    }
    if (in->len + want > in->cap) {
        while (in->len + want > in->cap)
            in->cap *= 2;
        in->buf = xrealloc(in->buf, in->cap);
    }
    for (;;) {
        if (in->zin_pos == in->zin_len && !in->file_eof)
            read_file(in);
        ZSTD_inBuffer zi = {in->zin, in->zin_len, in->zin_pos};
        ZSTD_outBuffer zo = {in->buf + in->len, in->cap - in->len, 0};
        size_t rc = ZSTD_decompressStream(in->dctx, &zo, &zi);
        if (ZSTD_isError(rc)) {
            in->not_zstd = in->base + in->len == 0 &&
                           ZSTD_getErrorCode(rc) == ZSTD_error_prefix_unknown;
            snprintf(in->error, sizeof in->error,
                     "the compressed data is corrupt (zstd: %s, near file byte %llu)",
                     ZSTD_getErrorName(rc),
                     (unsigned long long)(in->file_bytes - (in->zin_len - zi.pos)));
            in->ended = true;
            return -1;
        }
        /* Only a call that did something says where the frame stands (one
         * with no input at a frame's end would ask for the next header). */
        if (zi.pos > in->zin_pos || zo.pos > 0) {
            in->frame_left = rc;
            in->started = true;
        }
        in->zin_pos = zi.pos;
        in->len += zo.pos;
        if (zo.pos > 0)
            return 1;
        if (in->zin_pos == in->zin_len && in->file_eof) {
            in->ended = true;
            return 0;
        }
    }
}

int trace_input_need(struct trace_input *in, size_t n)
{
    while (in->len - in->pos < n) {
        int rc = decode_more(in, n - (in->len - in->pos));
        if (rc <= 0)
            return rc;
    }
    return 1;
}

size_t trace_input_avail(const struct trace_input *in)
{
    return in->len - in->pos;
}

const uint8_t *trace_input_peek(const struct trace_input *in)
{
    return in->buf + in->pos;
}

void trace_input_skip(struct trace_input *in, size_t n)
{
    in->pos += n;
}

uint64_t trace_input_offset(const struct trace_input *in)
{
    return in->base + in->pos;
}

bool trace_input_cut(const struct trace_input *in)
{
    return in->ended && in->started && in->frame_left != 0;
}

const char *trace_input_error(const struct trace_input *in)
{
    return in->error;
}

bool trace_input_not_zstd(const struct trace_input *in)
{
    return in->not_zstd;
}

uint64_t trace_input_hash(const struct trace_input *in)
{
    return in->hash;
}

uint64_t trace_input_file_bytes(const struct trace_input *in)
{
    return in->file_bytes;
}
