/* trace_merge.c - the threads' events in one order, by stamp.
 *
 * Each thread's queue is in the thread's own order; a min-heap over the
 * threads with queued events picks the next by (stamp, frees before
 * allocations, thread id). An event may leave only once no event stamped
 * earlier can still arrive: the writer's DRAIN records say that an event
 * stamped before a cycle's clock is in that cycle or earlier (unless its
 * thread was descheduled between stamping and publishing it, see
 * rec_writer.c), so events stamped before the clock of the drain two
 * cycles back are released. At the end of the stream everything leaves.
 * A file without DRAIN records is merged in windows of MAX_BUFFERED
 * events, so memory stays bounded whatever the input.
 */
#include <stdlib.h>
#include <string.h>

#include "trace_internal.h"
#include "xalloc.h"

#define MAX_BUFFERED (4u << 20)

static const struct item *head_of(const struct trace_reader *r, uint32_t t)
{
    const struct rthread *th = &r->threads[t];
    return &th->q[th->head];
}

static bool before(const struct trace_reader *r, uint32_t a, uint32_t b)
{
    const struct item *x = head_of(r, a), *y = head_of(r, b);
    if (x->stamp != y->stamp)
        return x->stamp < y->stamp;
    if (x->release != y->release)
        return x->release > y->release;
    return r->threads[a].id < r->threads[b].id;
}

static void heap_set(struct trace_reader *r, size_t i, uint32_t t)
{
    r->heap[i] = t;
    r->threads[t].heap_pos = (int64_t)i;
}

static void sift_up(struct trace_reader *r, size_t i)
{
    uint32_t t = r->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(r, t, r->heap[parent]))
            break;
        heap_set(r, i, r->heap[parent]);
        i = parent;
    }
    heap_set(r, i, t);
}

static void sift_down(struct trace_reader *r, size_t i)
{
    uint32_t t = r->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= r->heap_len)
            break;
        if (c + 1 < r->heap_len && before(r, r->heap[c + 1], r->heap[c]))
            c++;
        if (!before(r, r->heap[c], t))
            break;
        heap_set(r, i, r->heap[c]);
        i = c;
    }
    heap_set(r, i, t);
}

void trace_queue_push(struct trace_reader *r, struct rthread *t, const struct item *it)
{
    if (t->len == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        struct item *q = xcalloc(cap, sizeof *q);
        for (size_t i = 0; i < t->len; i++)
            q[i] = t->q[(t->head + i) % t->cap];
        free(t->q);
        t->q = q;
        t->cap = cap;
        t->head = 0;
    }
    t->q[(t->head + t->len) % t->cap] = *it;
    t->len++;
    r->buffered++;
    if (t->heap_pos < 0) {
        if (r->heap_len == r->heap_cap) {
            r->heap_cap = r->heap_cap ? 2 * r->heap_cap : 16;
            r->heap = xrealloc(r->heap, r->heap_cap * sizeof *r->heap);
        }
        uint32_t index = (uint32_t)(t - r->threads);
        heap_set(r, r->heap_len++, index);
        sift_up(r, r->heap_len - 1);
    }
}

bool trace_merge_pop(struct trace_reader *r, bool all, struct item *out)
{
    if (r->heap_len == 0)
        return false;
    uint32_t ti = r->heap[0];
    struct rthread *t = &r->threads[ti];
    const struct item *it = &t->q[t->head];
    if (!all && r->buffered <= MAX_BUFFERED &&
        (r->drain_count < 3 || it->stamp >= r->drains[0]))
        return false;
    *out = *it;
    t->head = (t->head + 1) % t->cap;
    t->len--;
    t->merged++;
    r->buffered--;
    if (t->len == 0) {
        t->heap_pos = -1;
        uint32_t last = r->heap[--r->heap_len];
        if (r->heap_len > 0) {
            heap_set(r, 0, last);
            sift_down(r, 0);
        }
    } else {
        sift_down(r, 0);
    }
    if (r->merged_any && out->stamp < r->last_stamp)
        r->status.late_events++;
    if (!r->merged_any || out->stamp > r->last_stamp)
        r->last_stamp = out->stamp;
    r->merged_any = true;
    return true;
}

void trace_merge_free(struct trace_reader *r)
{
    for (size_t i = 0; i < r->thread_count; i++)
        free(r->threads[i].q);
    free(r->heap);
}
