/* fuzz_trace_reader.c - the trace reader (harness/trace/) on any input:
 * it must give events or a "NAME: offset N: message" error, never crash,
 * never read out of bounds, never allocate without limit.
 *
 * The first input byte chooses what the rest is: even, a trace file as is
 * (the zstd layer sees arbitrary bytes); odd, the decompressed stream,
 * compressed here first (so mutations reach the header, records and
 * events). Built with clang's libFuzzer (trace.fuzz) and, without it, as a
 * replay of the seed corpus (fuzz_corpus_main.c, trace.fuzz_corpus). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "trace_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(const uint8_t *bytes, size_t n)
{
    if (n == 0)
        return;
    FILE *f = fmemopen((void *)bytes, n, "rb");
    if (!f)
        return;
    char err[1200];
    struct trace_reader *r = trace_open_stream(f, "fuzz", err, sizeof err);
    if (!r) {
        if (strncmp(err, "fuzz: offset ", 13) != 0)
            abort(); /* every error names where */
    } else {
        struct trace_event ev;
        int rc;
        uint64_t last_id = 0;
        while ((rc = trace_next(r, &ev)) == 1) {
            if (ev.op >= TRACE_OP_COUNT || ev.call >= TCALL_COUNT ||
                ev.lane >= trace_status(r)->lanes)
                abort();
            if (ev.op == TRACE_ALLOC) {
                if (ev.id <= last_id) /* ids are births, in order */
                    abort();
                last_id = ev.id;
            }
        }
        if (rc < 0 && strncmp(trace_error(r), "fuzz: offset ", 13) != 0)
            abort();
        trace_close(r);
    }
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!(data[0] & 1)) {
        read_all(data + 1, size - 1);
        return 0;
    }
    size_t cap = ZSTD_compressBound(size - 1);
    uint8_t *z = malloc(cap);
    if (!z)
        return 0;
    size_t n = ZSTD_compress(z, cap, data + 1, size - 1, 1);
    if (!ZSTD_isError(n))
        read_all(z, n);
    free(z);
    return 0;
}
