/* trace_format.h - the binary layout of a recorded allocation trace
 * (docs/trace-format.md is the reference; keep the two in step). Shared by
 * the recorder (harness/record/, preloaded into the recorded program) and
 * the reader (harness/trace/); it depends on nothing but <stdint.h>.
 *
 * A trace file is a zstd stream (one or more frames). Decompressed, it is
 *     header, record, record, ...
 * Integers are unsigned LEB128 varints ("uvar") unless said otherwise;
 * "svar" is a zigzag-coded signed varint.
 *
 * Header: the 8 bytes TRACE_MAGIC, a little-endian u16 version, a u16 0,
 * then uvar N and N (key, value) pairs, each a uvar length and its bytes
 * (keys and values are text; readers skip keys they do not know).
 *
 * Records start with one tag byte (enum trace_record). A CHUNK holds
 * consecutive events of one thread; its address and time deltas start
 * from 0 in every chunk, so each chunk decodes on its own.
 *
 * Event: one byte (kind in the low 4 bits, TEV_FLAG_* above them, the top
 * bit 0), svar stamp delta (stamp minus the previous event's in the
 * chunk), then the kind's fields (see trace_event_kind). An `addr` field is
 * either, with TEV_FLAG_RECENT, a uvar distance back to the last event of
 * the chunk that named the same address (0: the previous address field,
 * counting address fields only, at most TRACE_RECENT_WINDOW - 1 back), or
 * an svar delta from the last address written as a delta in the chunk (in
 * 16-byte units with TEV_FLAG_A16). Frees mostly name objects allocated
 * shortly before, and allocators mostly hand out blocks freed shortly
 * before: most addresses become small numbers.
 *
 * Ordering rule (what makes merging the threads causally consistent): an
 * allocation is stamped after the allocator returned, a free before it is
 * called; a realloc is two events, BEGIN stamped before the call (its old
 * block may be reused from then on) and END after it. So at any stamp an
 * address names at most one live object, and (address, stamp) identifies
 * an object even when its address is reused later.
 */
#ifndef ALLOCSCOPE_TRACE_FORMAT_H
#define ALLOCSCOPE_TRACE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_MAGIC "ALSTRACE"
#define TRACE_MAGIC_LEN 8
#define TRACE_VERSION 1
#define TRACE_MAX_HEADER_BYTES (1u << 20)
#define TRACE_MAX_HEADER_FIELDS 256
/* Events in one chunk: the recorder's ring size bounds it; readers reject
 * more (a corrupt count must not make them allocate without limit). */
#define TRACE_MAX_CHUNK_EVENTS (1u << 20)
#define TRACE_MAX_EVENT_BYTES 41 /* kind + 4 varints of 10 bytes */
#define TRACE_MAX_PATH 4096

enum trace_record {
    TREC_CHUNK = 1, /* uvar thread, uvar first_seq, uvar count, uvar bytes,
                       then `bytes` bytes holding `count` events */
    TREC_DRAIN = 2, /* uvar stamp, uvar mono_ns: the writer read its clock
                       (stamp) before collecting the chunks that precede
                       this record; mono_ns is CLOCK_MONOTONIC then */
    TREC_EXIT = 3,  /* uvar thread, uvar events: the thread has ended after
                       that many events */
    TREC_EXEC = 4,  /* uvar thread, uvar stamp, uvar length, path: the
                       program called exec; nothing of it follows unless
                       the exec failed */
    TREC_END = 5,   /* uvar reason (enum trace_end), uvar stamp, uvar
                       mono_ns, uvar events, uvar threads, uvar
                       boot_calls, uvar nested_calls: the trace is whole */
    TREC_KIND_END
};

enum trace_event_kind {
    TEV_MALLOC = 1,       /* uvar size, addr */
    TEV_CALLOC,           /* uvar nmemb, uvar size, addr */
    TEV_REALLOC_BEGIN,    /* addr (the old block; 0 for realloc(NULL, n)) */
    TEV_REALLOC_END,      /* uvar size, addr (the new block; 0 when it failed,
                             or when size is 0 and the old block was freed) */
    TEV_REALLOCARRAY_END, /* uvar nmemb, uvar size, addr: as REALLOC_END */
    TEV_POSIX_MEMALIGN,   /* uvar align, uvar size, addr */
    TEV_ALIGNED_ALLOC,    /* uvar align, uvar size, addr */
    TEV_MEMALIGN,         /* uvar align, uvar size, addr */
    TEV_VALLOC,           /* uvar size, addr */
    TEV_PVALLOC,          /* uvar size, addr */
    TEV_FREE,             /* addr */
    TEV_USABLE_SIZE,      /* uvar result, addr: malloc_usable_size */
    TEV_FORK,             /* (nothing): the thread called fork; the child
                             is not recorded */
    TEV_KIND_END
};

enum trace_event_flags {
    TEV_FLAG_A16 = 0x10,    /* the address delta is in units of 16 bytes */
    TEV_FLAG_FAILED = 0x20, /* the call failed (NULL, or an error code) */
    TEV_FLAG_RECENT = 0x40, /* the address is a distance back (see above) */
};
#define TEV_KIND_MASK 0x0f
#define TEV_RESERVED_MASK 0x80
#define TRACE_RECENT_WINDOW 1024

enum trace_end {
    TEND_EXIT = 0,  /* exit() or return from main (the recorder's destructor) */
    TEND_UNDERSCORE_EXIT = 1, /* _exit or _Exit */
    TEND_KIND_END
};

/* ---- varints ------------------------------------------------------------- */

/* Writes v at p (at most 10 bytes); returns the bytes written. */
static inline size_t trace_put_uvar(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static inline uint64_t trace_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t trace_unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Reads a uvar from [*p, end). Returns 0, or -1 when the bytes end first
 * or the value has more than 64 bits. */
static inline int trace_get_uvar(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return -1;
        uint8_t b = *(*p)++;
        if (shift == 63 && b > 1)
            return -1;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* The fields an event kind carries after its stamp delta, in order:
 * 'n' nmemb or result, 'a' align, 's' size, 'p' address. */
static inline const char *trace_event_fields(unsigned kind)
{
    static const char *const fields[TEV_KIND_END] = {
        [TEV_MALLOC] = "sp",          [TEV_CALLOC] = "nsp",
        [TEV_REALLOC_BEGIN] = "p",    [TEV_REALLOC_END] = "sp",
        [TEV_REALLOCARRAY_END] = "nsp", [TEV_POSIX_MEMALIGN] = "asp",
        [TEV_ALIGNED_ALLOC] = "asp",  [TEV_MEMALIGN] = "asp",
        [TEV_VALLOC] = "sp",          [TEV_PVALLOC] = "sp",
        [TEV_FREE] = "p",             [TEV_USABLE_SIZE] = "np",
        [TEV_FORK] = "",
    };
    return kind > 0 && kind < TEV_KIND_END ? fields[kind] : NULL;
}

/* ---- coding addresses -------------------------------------------------- */

/* The encoder's state: the previous stamp and delta-coded address of the
 * chunk, and where each address was last seen (a direct-mapped table of
 * positions counted over all chunks; a collision only costs a delta). */
struct trace_encoder {
    uint64_t stamp, addr;
    uint64_t now;         /* address fields encoded, all chunks */
    uint64_t chunk_start; /* `now` when the chunk began */
    struct {
        uint64_t addr, pos; /* pos: the address field's position + 1 */
    } seen[2 * TRACE_RECENT_WINDOW];
};

/* The decoder's: the chunk's address fields so far, the last
 * TRACE_RECENT_WINDOW of them in a ring. */
struct trace_decoder {
    uint64_t stamp, addr;
    uint64_t n;
    uint64_t ring[TRACE_RECENT_WINDOW];
};

/* Begin a chunk (an encoder starts zeroed, then this for every chunk). */
static inline void trace_encoder_chunk(struct trace_encoder *e)
{
    e->stamp = e->addr = 0;
    e->chunk_start = e->now;
}

static inline size_t trace_seen_slot(uint64_t addr)
{
    return (size_t)((addr * 0x9e3779b97f4a7c15ULL) >> 53) & (2 * TRACE_RECENT_WINDOW - 1);
}

/* Encode one event at out (at most TRACE_MAX_EVENT_BYTES); returns its
 * length. `n` is nmemb (calloc, reallocarray) or the result
 * (malloc_usable_size); fields the kind does not carry are ignored. */
static inline size_t trace_encode_event(uint8_t *out, struct trace_encoder *st, unsigned kind,
                                        unsigned flags, uint64_t stamp, uint64_t addr,
                                        uint64_t n, uint64_t align, uint64_t size)
{
    const char *f = trace_event_fields(kind);
    int has_addr = 0;
    for (const char *c = f; *c; c++)
        has_addr |= *c == 'p';
    flags &= TEV_FLAG_FAILED;
    uint64_t addr_field = 0;
    if (has_addr) {
        size_t slot = trace_seen_slot(addr);
        uint64_t seen = st->seen[slot].pos; /* position + 1; 0: never */
        if (seen && st->seen[slot].addr == addr && seen > st->chunk_start &&
            st->now - seen < TRACE_RECENT_WINDOW) {
            flags |= TEV_FLAG_RECENT;
            addr_field = st->now - seen;
        } else {
            int64_t da = (int64_t)(addr - st->addr);
            if ((da & 15) == 0) {
                flags |= TEV_FLAG_A16;
                da /= 16; /* exact: the low bits are 0 */
            }
            addr_field = trace_zigzag(da);
            st->addr = addr;
        }
        st->seen[slot].addr = addr;
        st->seen[slot].pos = ++st->now;
    }
    size_t len = 0;
    out[len++] = (uint8_t)(kind | flags);
    len += trace_put_uvar(out + len, trace_zigzag((int64_t)(stamp - st->stamp)));
    for (const char *c = f; *c; c++) {
        switch (*c) {
        case 'n':
            len += trace_put_uvar(out + len, n);
            break;
        case 'a':
            len += trace_put_uvar(out + len, align);
            break;
        case 's':
            len += trace_put_uvar(out + len, size);
            break;
        case 'p':
            len += trace_put_uvar(out + len, addr_field);
            break;
        }
    }
    st->stamp = stamp;
    return len;
}

#endif
