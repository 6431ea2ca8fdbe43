/* opstream.h - generating a workload's op stream, chunk by chunk, into the
 * window a worker reads (opstream_format.h has the layout and the
 * invariants). The generator's memory is bounded by the workload's live
 * set and one chunk, never by the op count.
 *
 * The stream depends on nothing but the spec: every allocator and every
 * repetition executes the same ops, and its hash (recorded in every result
 * row) proves it. */
#ifndef ALLOCSCOPE_OPSTREAM_H
#define ALLOCSCOPE_OPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opstream_format.h"
#include "spec.h"

_Static_assert(OPWINDOW_MAX_THREADS == SPEC_MAX_THREADS, "every thread gets a segment");
_Static_assert(SPEC_MAX_OBJECT_SIZE < (1ULL << 32), "a realloc op packs two sizes");
_Static_assert((int)OP_TOUCH_NONE == (int)TOUCH_NONE && (int)OP_TOUCH_FIRST == (int)TOUCH_FIRST &&
                   (int)OP_TOUCH_PAGES == (int)TOUCH_PAGES && (int)OP_TOUCH_ALL == (int)TOUCH_ALL,
               "op touch modes are the spec's");

/* Ops per chunk by default: 768 KiB of ops, a few ms of generation. */
#define OPWINDOW_DEFAULT_OPS 32768

/* What the generator knows about the whole stream (final once complete). */
struct opgen_totals {
    bool complete;             /* every op has been generated */
    uint32_t threads;
    uint64_t ops;              /* ops a worker executes (markers excluded) */
    uint64_t marker_ops;       /* phase markers, threads x phases */
    uint64_t kind_counts[OP_KIND_END]; /* ops per enum op_kind */
    uint64_t hash;             /* over every op in global order */
    uint64_t peak_live_bytes;  /* exact, in the global order */
    uint64_t max_live_objects;
    uint64_t slots;            /* pointer-table entries needed */
    unsigned timing_shift;     /* each op is timed with probability 2^-shift */
    uint64_t access_ops;       /* OP_ACCESS (access phases), not in ops */
    uint64_t access_check;     /* sum over threads of op_access_check */
};

struct opgen;

/* A generator for `w`, whose chunks hold at most `chunk_ops` ops (0 =
 * OPWINDOW_DEFAULT_OPS). Returns NULL with a message on failure. */
struct opgen *opgen_new(const struct workload_spec *w, size_t chunk_ops, char *errbuf,
                        size_t errlen);

/* Write the next chunk into `win` (initialised by opwindow_init with at
 * least chunk_ops capacity). Returns 0, or -1 with a message. Calling it
 * after the last chunk is an error. */
int opgen_next_chunk(struct opgen *g, struct opwindow_header *win, char *errbuf,
                     size_t errlen);

/* Generate whatever is left without handing it out, so the totals are
 * complete (after a run that ended early). Returns 0 or -1. */
int opgen_drain(struct opgen *g, char *errbuf, size_t errlen);

const struct opgen_totals *opgen_totals(const struct opgen *g);
void opgen_free(struct opgen *g);

/* Set up an empty window header for `threads` threads. */
void opwindow_init(struct opwindow_header *h, uint32_t threads, uint64_t op_capacity);

/* Generate the whole stream once and return its totals: for callers that
 * need the facts (hash, counts, peak live) without a worker. */
int opstream_totals(const struct workload_spec *w, struct opgen_totals *out, char *errbuf,
                    size_t errlen);

/* The probability with which ops of `w` are timed, as 2^-shift: every op of
 * a short stream, fewer of a long one (see opgen.c). */
unsigned opstream_timing_shift(const struct workload_spec *w);

/* The hash as 16 lowercase hex digits. */
void opstream_hash_hex(uint64_t hash, char out[17]);

#endif
