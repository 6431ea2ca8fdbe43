/* trace_reader.h - reading a recorded allocation trace as one stream of
 * events in a causally consistent global order (the trace stage of the
 * data path: harness/README.md).
 *
 * The reader decodes the file (trace_input.c, trace_decode.c), merges the
 * threads' events by stamp (trace_merge.c) and turns addresses into object
 * identities (trace_resolve.c): at any point of the merged order an
 * address names at most one live object (trace_format.h's ordering rule),
 * so every free and realloc is matched with the allocation it ends.
 * Memory is bounded by the live objects, the threads and a few writer
 * cycles of buffered events, never by the trace's length.
 *
 * What the replay cannot execute is counted, not emitted: failed calls,
 * free(NULL), malloc_usable_size, frees of addresses never allocated while
 * recording (allocated before the recorder started, or through another
 * interface). An allocation at an address that is still live (its free
 * was not recorded) first ends the old object with an implicit free.
 *
 * Errors read "FILE: offset N: message", N being the offset in the
 * decompressed stream. A trace that was cut short (the program was killed)
 * is not an error: the reader stops at its last complete event and says
 * so in the status.
 */
#ifndef ALLOCSCOPE_TRACE_READER_H
#define ALLOCSCOPE_TRACE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The call an event came from. */
enum trace_call {
    TCALL_MALLOC,
    TCALL_CALLOC,
    TCALL_REALLOC,
    TCALL_REALLOCARRAY,
    TCALL_POSIX_MEMALIGN,
    TCALL_ALIGNED_ALLOC,
    TCALL_MEMALIGN,
    TCALL_VALLOC,
    TCALL_PVALLOC,
    TCALL_FREE,
    TCALL_COUNT
};
const char *trace_call_name(enum trace_call c);

enum trace_op {
    TRACE_ALLOC,   /* a new object */
    TRACE_REALLOC, /* a live object changes size (and maybe address) */
    TRACE_FREE,    /* an object ends */
    TRACE_OP_COUNT
};

struct trace_event {
    enum trace_op op;
    enum trace_call call;
    bool implicit;      /* TRACE_FREE that no call recorded (see above) */
    uint32_t thread;    /* recorded thread id */
    uint32_t lane;      /* 0.. lanes-1: threads alive at once share none */
    uint64_t object;    /* dense index, reused once the object ended */
    uint64_t id;        /* unique: the object's birth number, from 1 */
    uint64_t size;      /* ALLOC: requested; REALLOC: new; FREE: the object's */
    uint64_t old_size;  /* REALLOC */
    uint64_t align;     /* ALLOC by an aligned call: a power of two; else 0 */
    uint64_t t_ns;      /* since the recording started */
    /* FREE and REALLOC: the object's origin. */
    uint32_t birth_thread;
    uint64_t birth_ns;
    uint64_t birth_alloc; /* allocations (ALLOC events) before its own */
    uint64_t live_objects; /* objects live just before this event */
};

struct trace_header {
    unsigned version;
    const char *program, *host, *clock, *recorder;
    const char *argv; /* arguments, each ending with a NUL */
    size_t argv_len;
    uint64_t pid, start_unix_ns, start_stamp, start_mono_ns, page_size;
};

enum trace_end_state {
    TRACE_END_NONE,        /* not reached yet */
    TRACE_END_EXIT,        /* the program exited (exit, return from main) */
    TRACE_END_UNDERSCORE_EXIT, /* _exit or _Exit */
    TRACE_END_EXEC,        /* the program replaced itself with exec */
    TRACE_END_CUT,         /* cut short: killed, crashed, or the file truncated */
};
const char *trace_end_name(enum trace_end_state e);

/* What the reader has met so far besides events; final after the end. */
struct trace_status {
    enum trace_end_state end;
    uint64_t cut_offset;  /* TRACE_END_CUT: decoded offset where it stops */
    char cut_reason[160];
    uint64_t raw_events;  /* every event decoded, all kinds */
    uint64_t calls[TCALL_COUNT]; /* calls recorded per kind (failed ones too) */
    uint64_t failed;      /* calls that failed (returned NULL or an error) */
    uint64_t null_results; /* allocations of 0 bytes that returned NULL */
    uint64_t free_null;
    uint64_t usable_size_calls;
    uint64_t forks, execs;
    uint64_t unmatched_frees;    /* frees of addresses not live */
    uint64_t unmatched_reallocs; /* reallocs of addresses not live (replayed
                                    as allocations) */
    uint64_t implicit_frees;
    uint64_t incomplete_reallocs; /* a realloc the trace ends inside */
    uint64_t late_events; /* merged behind an event stamped later */
    uint64_t threads;     /* distinct threads that made a call */
    uint32_t lanes;       /* most threads alive at once */
    uint64_t boot_calls, nested_calls; /* from END: calls not recorded */
    uint64_t end_events;  /* from END */
    uint64_t hash;        /* FNV-1a-64 of the file's bytes (whole at the end) */
    uint64_t file_bytes;
};

struct trace_reader;

/* Open and read the header. On failure returns NULL with the message in
 * err ("FILE: offset N: ..."). */
struct trace_reader *trace_open(const char *path, char *err, size_t errlen);
/* The same from an open stream (not closed by the reader); `name` is used
 * in messages. */
struct trace_reader *trace_open_stream(FILE *f, const char *name, char *err, size_t errlen);

/* The next event: 1, 0 at the end, -1 on an error (trace_error). */
int trace_next(struct trace_reader *r, struct trace_event *ev);
const char *trace_error(const struct trace_reader *r);

const struct trace_header *trace_header(const struct trace_reader *r);
const struct trace_status *trace_status(const struct trace_reader *r);
void trace_close(struct trace_reader *r);

#endif
