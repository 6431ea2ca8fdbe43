/* trace_internal.h - the reader's steps (not for other modules: they use
 * trace_reader.h). One file per step:
 *   trace_input.c    zstd stream -> decoded bytes, offsets, cut or corrupt
 *   trace_decode.c   header and records -> each thread's queue of items
 *   trace_merge.c    the threads' queues -> one order, by stamp
 *   trace_resolve.c  addresses -> objects, threads -> lanes, items -> events
 *   trace_reader.c   opening, trace_next, closing
 */
#ifndef ALLOCSCOPE_TRACE_INTERNAL_H
#define ALLOCSCOPE_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "trace_format.h"
#include "trace_input.h"
#include "trace_reader.h"
#include "u64_map.h"

#define NO_OBJECT UINT64_MAX
#define UNMATCHED_OBJECT (UINT64_MAX - 1)
#define NO_LANE UINT32_MAX

/* One decoded event waiting in its thread's queue. */
struct item {
    uint64_t stamp;
    uint64_t addr;
    uint64_t size;
    uint64_t aux;  /* nmemb, align or malloc_usable_size's result */
    uint64_t seq;  /* the event's number in its thread */
    uint32_t thread; /* index into the reader's threads */
    uint8_t kind;  /* enum trace_event_kind */
    uint8_t flags;
    uint8_t release; /* 1: FREE, REALLOC_BEGIN (merged first at equal stamps) */
};

struct rthread {
    uint32_t id;        /* the trace's thread id */
    uint64_t decoded;   /* events decoded (the next chunk's first_seq) */
    uint64_t merged;    /* events that left the queue */
    struct item *q;     /* ring: q[(head + i) % cap] */
    size_t cap, head, len;
    int64_t heap_pos;   /* in the merge heap, or -1 */
    uint32_t lane;
    bool exited;        /* its EXIT record was read */
    uint64_t exit_events;
    bool in_realloc;    /* decoded a REALLOC_BEGIN, not yet its END */
    bool merging_realloc; /* merged a REALLOC_BEGIN, not yet its END */
    uint64_t realloc_obj; /* object, NO_OBJECT or UNMATCHED_OBJECT */
    uint64_t realloc_addr;
};

struct robject {
    uint64_t id;
    uint64_t size;
    uint64_t addr;
    uint64_t birth_ns;
    uint64_t birth_alloc;
    uint32_t birth_thread;
    uint64_t next_free; /* free list of indices */
};

#define OUT_EVENTS 4

struct trace_reader {
    char name[512];
    FILE *own_file;
    struct trace_input *in;
    char error[1100];
    struct trace_header header;
    char *header_store; /* the header's strings */
    struct trace_status status;
    bool finished;      /* END, EXEC at the end, or the stream ended */
    bool after_end;     /* an END record was read */
    bool last_was_exec; /* the last record read was EXEC */
    bool resolve_finished;

    /* Threads by trace id. */
    struct rthread *threads;
    size_t thread_count, thread_cap;
    struct u64_map thread_index;

    /* Merge: threads with queued items, a min-heap on their first item. */
    uint32_t *heap;
    size_t heap_len, heap_cap;
    uint64_t drains[3]; /* the last three DRAIN stamps, oldest first */
    unsigned drain_count;
    uint64_t buffered;  /* items in all queues */
    uint64_t last_stamp; /* of the last merged item */
    bool merged_any;

    /* Clock: stamps to nanoseconds. */
    double ns_per_tick;
    bool rate_fixed;
    uint64_t pair_stamp, pair_mono; /* the latest clock pair read */

    /* Resolution. */
    struct u64_map live;       /* address -> object index */
    struct robject *objects;
    size_t object_count, object_cap;
    uint64_t free_objects;     /* head of the free list, or NO_OBJECT */
    uint64_t next_id, allocs, live_objects;
    bool *lane_used;
    size_t lane_cap;

    struct trace_decoder chunk; /* the chunk being decoded */

    struct trace_event out[OUT_EVENTS];
    unsigned out_head, out_len;
};

/* Set r->error to "NAME: offset N: message"; returns -1. */
int trace_fail(struct trace_reader *r, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* trace_decode.c */
int trace_decode_header(struct trace_reader *r);
/* Read one record. Returns 1, 0 at the end of the stream, -1 on error. */
int trace_decode_record(struct trace_reader *r);
struct rthread *trace_thread(struct trace_reader *r, uint32_t id, bool create);

/* trace_merge.c */
void trace_queue_push(struct trace_reader *r, struct rthread *t, const struct item *it);
/* The next item in merged order if it may leave now (`all`: the stream
 * has ended, everything may). Returns false when none may. */
bool trace_merge_pop(struct trace_reader *r, bool all, struct item *out);
void trace_merge_free(struct trace_reader *r);

/* trace_resolve.c */
/* Turn one merged item into events in r->out. Returns 0 or -1. */
int trace_resolve(struct trace_reader *r, const struct item *it);
/* The stream ended: undo reallocs it ended inside. */
void trace_resolve_finish(struct trace_reader *r);
uint64_t trace_stamp_ns(struct trace_reader *r, uint64_t stamp);
void trace_resolve_free(struct trace_reader *r);

#endif
