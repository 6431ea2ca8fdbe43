/* test_reader.c - the trace reader on hand-made traces whose right reading
 * is known: threads merged by stamp whatever the file order, an address
 * reused by another thread (identity by the ordering rule), a block reused
 * while its realloc is in flight, equal stamps, cross-thread frees, lanes
 * of threads that ended, late events, what a replay leaves out. */
#include "check_msg.h"
#include "trace_build.h"
#include "trace_facts.h"
#include "trace_reader.h"

#define MAX_EVENTS 64

struct reading {
    struct trace_event ev[MAX_EVENTS];
    int n;
    struct trace_status status;
    char error[1200];
};

static void read_trace(struct tb *b, struct reading *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = tb_open(b);
    struct trace_reader *r = trace_open_stream(f, "t", out->error, sizeof out->error);
    if (r) {
        int rc;
        while (out->n < MAX_EVENTS && (rc = trace_next(r, &out->ev[out->n])) == 1)
            out->n++;
        if (rc < 0)
            snprintf(out->error, sizeof out->error, "%s", trace_error(r));
        out->status = *trace_status(r);
        trace_close(r);
    }
    fclose(f);
}

#define EV(k, t, a, s) {.kind = (k), .stamp = (t), .addr = (a), .size = (s)}

/* Thread 1's chunk comes first in the file, but thread 0 freed the block
 * before thread 1 got it back: two objects, not an implicit free. */
static void address_reused_by_another_thread(void)
{
    struct tb b;
    tb_header(&b);
    struct tb_ev t1[] = {EV(TEV_MALLOC, 25, 0x1000, 32), EV(TEV_FREE, 40, 0x1000, 0)};
    struct tb_ev t0[] = {EV(TEV_MALLOC, 10, 0x1000, 16), EV(TEV_FREE, 20, 0x1000, 0)};
    tb_chunk(&b, 1, 0, t1, 2);
    tb_chunk(&b, 0, 0, t0, 2);
    tb_drain(&b, 50);
    tb_end(&b, 2);
    struct reading r;
    read_trace(&b, &r);
    CHECK(!r.error[0], "%s", r.error);
    CHECK(r.n == 4, "%d events", r.n);
    if (r.n == 4) {
        CHECK(r.ev[0].op == TRACE_ALLOC && r.ev[0].thread == 0 && r.ev[0].size == 16, "first");
        CHECK(r.ev[1].op == TRACE_FREE && r.ev[1].id == r.ev[0].id && r.ev[1].size == 16, "free");
        CHECK(r.ev[2].op == TRACE_ALLOC && r.ev[2].thread == 1 && r.ev[2].id != r.ev[0].id,
              "a new object at the same address");
        CHECK(r.ev[3].op == TRACE_FREE && r.ev[3].id == r.ev[2].id && r.ev[3].size == 32, "the second object freed");
        CHECK(r.ev[1].t_ns == 20 && r.ev[2].t_ns == 25, "times %llu %llu",
              (unsigned long long)r.ev[1].t_ns, (unsigned long long)r.ev[2].t_ns);
    }
    CHECK(r.status.implicit_frees == 0 && r.status.unmatched_frees == 0, "all matched");
    CHECK(r.status.end == TRACE_END_EXIT, "ended %d", r.status.end);
    tb_free(&b);
}

/* Equal stamps: the free comes first, so the address is free again. */
static void equal_stamps_free_first(void)
{
    struct tb b;
    tb_header(&b);
    struct tb_ev t0[] = {EV(TEV_MALLOC, 10, 0x2000, 8), EV(TEV_FREE, 50, 0x2000, 0)};
    struct tb_ev t1[] = {EV(TEV_MALLOC, 50, 0x2000, 24), EV(TEV_FREE, 60, 0x2000, 0)};
    tb_chunk(&b, 1, 0, t1, 2); /* the allocating thread has the lower id too */
    tb_chunk(&b, 0, 0, t0, 2);
    tb_end(&b, 2);
    struct reading r;
    read_trace(&b, &r);
    CHECK(r.n == 4 && r.status.implicit_frees == 0, "%d events, %llu implicit", r.n,
          (unsigned long long)r.status.implicit_frees);
    if (r.n == 4)
        CHECK(r.ev[1].op == TRACE_FREE && r.ev[1].thread == 0 && r.ev[2].thread == 1,
              "free before allocation at equal stamps");
    tb_free(&b);
}

/* Thread 0's realloc moves p to q; thread 1 gets p back while the realloc
 * is still running (after its BEGIN, before its END). */
static void block_reused_during_realloc(void)
{
    struct tb b;
    tb_header(&b);
    struct tb_ev t0[] = {EV(TEV_MALLOC, 10, 0x3000, 100), EV(TEV_REALLOC_BEGIN, 100, 0x3000, 0),
                         EV(TEV_REALLOC_END, 200, 0x9000, 5000), EV(TEV_FREE, 300, 0x9000, 0)};
    struct tb_ev t1[] = {EV(TEV_MALLOC, 150, 0x3000, 64), EV(TEV_FREE, 160, 0x3000, 0)};
    tb_chunk(&b, 0, 0, t0, 4);
    tb_chunk(&b, 1, 0, t1, 2);
    tb_end(&b, 2);
    struct reading r;
    read_trace(&b, &r);
    CHECK(!r.error[0], "%s", r.error);
    CHECK(r.n == 5 && r.status.implicit_frees == 0, "%d events, %llu implicit", r.n,
          (unsigned long long)r.status.implicit_frees);
    if (r.n == 5) {
        CHECK(r.ev[1].op == TRACE_ALLOC && r.ev[1].thread == 1, "thread 1's own object");
        CHECK(r.ev[3].op == TRACE_REALLOC && r.ev[3].id == r.ev[0].id &&
                  r.ev[3].old_size == 100 && r.ev[3].size == 5000,
              "the realloc keeps its object");
        CHECK(r.ev[4].op == TRACE_FREE && r.ev[4].id == r.ev[0].id && r.ev[4].size == 5000, "freed at its new size");
    }
    tb_free(&b);
}

/* A free in another thread than the allocation; what a replay leaves out. */
static void cross_thread_and_left_out(void)
{
    struct tb b;
    tb_header(&b);
    struct tb_ev t0[] = {
        EV(TEV_MALLOC, 5, 0x4000, 40),
        {.kind = TEV_MALLOC, .flags = TEV_FLAG_FAILED, .stamp = 6, .size = 1ULL << 40},
        EV(TEV_FREE, 7, 0, 0),             /* free(NULL) */
        EV(TEV_FREE, 8, 0x7777, 0),        /* never allocated */
        EV(TEV_REALLOC_BEGIN, 9, 0, 0),    /* realloc(NULL, 48) */
        EV(TEV_REALLOC_END, 10, 0x5000, 48),
        EV(TEV_REALLOC_BEGIN, 11, 0x5000, 0), /* realloc(p, 0) that freed p */
        EV(TEV_REALLOC_END, 12, 0, 0),
        {.kind = TEV_USABLE_SIZE, .stamp = 13, .addr = 0x4000, .n = 48},
        {.kind = TEV_CALLOC, .stamp = 14, .addr = 0x6000, .n = 10, .size = 30},
        {.kind = TEV_PVALLOC, .stamp = 15, .addr = 0x8000, .size = 5000},
        {.kind = TEV_MEMALIGN, .stamp = 16, .addr = 0xa000, .align = 24, .size = 10},
        {.kind = TEV_FORK, .stamp = 17},
    };
    struct tb_ev t1[] = {EV(TEV_FREE, 20, 0x4000, 0)};
    tb_chunk(&b, 0, 0, t0, sizeof t0 / sizeof t0[0]);
    tb_chunk(&b, 1, 0, t1, 1);
    tb_end(&b, 2);
    struct reading r;
    read_trace(&b, &r);
    CHECK(!r.error[0], "%s", r.error);
    const struct trace_status *s = &r.status;
    CHECK(s->failed == 1 && s->free_null == 1 && s->unmatched_frees == 1 &&
              s->usable_size_calls == 1 && s->forks == 1,
          "failed %llu free(NULL) %llu unmatched %llu usable %llu forks %llu",
          (unsigned long long)s->failed, (unsigned long long)s->free_null,
          (unsigned long long)s->unmatched_frees, (unsigned long long)s->usable_size_calls,
          (unsigned long long)s->forks);
    /* malloc, realloc(NULL) alloc, its free by realloc(p, 0), calloc,
     * pvalloc, memalign, then thread 1's free. */
    CHECK(r.n == 7, "%d events", r.n);
    if (r.n == 7) {
        CHECK(r.ev[1].op == TRACE_ALLOC && r.ev[1].call == TCALL_REALLOC && r.ev[1].size == 48,
              "realloc(NULL, n) allocates");
        CHECK(r.ev[2].op == TRACE_FREE && r.ev[2].call == TCALL_REALLOC, "realloc(p, 0) frees");
        CHECK(r.ev[3].size == 300, "calloc: nmemb x size, got %llu",
              (unsigned long long)r.ev[3].size);
        CHECK(r.ev[4].size == 8192 && r.ev[4].align == 4096, "pvalloc: page-rounded, aligned");
        CHECK(r.ev[5].align == 32, "memalign(24): the next power of two, got %llu",
              (unsigned long long)r.ev[5].align);
        CHECK(r.ev[6].op == TRACE_FREE && r.ev[6].thread == 1 && r.ev[6].birth_thread == 0 &&
                  r.ev[6].size == 40,
              "a cross-thread free");
    }
    CHECK(s->calls[TCALL_MALLOC] == 2 && s->calls[TCALL_FREE] == 3 && s->calls[TCALL_REALLOC] == 2,
          "calls as recorded");
    tb_free(&b);
}

/* Thread 1 ends; thread 2, starting later, takes its lane. */
static void lanes_of_ended_threads(void)
{
    struct tb b;
    tb_header(&b);
    struct tb_ev t0a[] = {EV(TEV_MALLOC, 1, 0x100, 8)};
    struct tb_ev t1[] = {EV(TEV_MALLOC, 2, 0x200, 8), EV(TEV_FREE, 3, 0x200, 0)};
    struct tb_ev t2[] = {EV(TEV_MALLOC, 20, 0x300, 8), EV(TEV_FREE, 21, 0x300, 0)};
    struct tb_ev t0b[] = {EV(TEV_FREE, 30, 0x100, 0)};
    tb_chunk(&b, 0, 0, t0a, 1);
    tb_chunk(&b, 1, 0, t1, 2);
    tb_drain(&b, 5);
    tb_exit(&b, 1, 2);
    tb_drain(&b, 10);
    tb_drain(&b, 15);
    tb_chunk(&b, 2, 0, t2, 2);
    tb_chunk(&b, 0, 1, t0b, 1);
    tb_end(&b, 3);
    struct reading r;
    read_trace(&b, &r);
    CHECK(!r.error[0], "%s", r.error);
    CHECK(r.status.threads == 3 && r.status.lanes == 2, "threads %llu lanes %u",
          (unsigned long long)r.status.threads, r.status.lanes);
    for (int i = 0; i < r.n; i++)
        if (r.ev[i].thread == 2)
            CHECK(r.ev[i].lane == 1, "thread 2 on lane %u", r.ev[i].lane);
    tb_free(&b);
}

/* An event published after the drains that let later ones through. */
static void late_event(void)
{
    struct tb b;
    tb_header(&b);
    struct tb_ev t0[] = {EV(TEV_MALLOC, 100, 0x100, 8), EV(TEV_MALLOC, 200, 0x200, 8)};
    struct tb_ev t1[] = {EV(TEV_MALLOC, 150, 0x300, 8)};
    tb_chunk(&b, 0, 0, t0, 2);
    tb_drain(&b, 300);
    tb_drain(&b, 400);
    tb_drain(&b, 500); /* both of thread 0's leave */
    tb_chunk(&b, 1, 0, t1, 1);
    tb_end(&b, 2);
    struct reading r;
    read_trace(&b, &r);
    CHECK(r.n == 3 && r.status.late_events == 1, "%d events, %llu late", r.n,
          (unsigned long long)r.status.late_events);
    tb_free(&b);
}

/* Cut short: no END; a chunk cut in the middle keeps its whole events. */
static void cut_short(void)
{
    struct tb b;
    tb_header(&b);
    struct tb_ev t0[] = {EV(TEV_MALLOC, 1, 0x100, 8), EV(TEV_MALLOC, 2, 0x200, 8),
                         EV(TEV_REALLOC_BEGIN, 3, 0x100, 0)};
    tb_chunk(&b, 0, 0, t0, 3);
    struct reading r;
    read_trace(&b, &r);
    CHECK(!r.error[0] && r.n == 2, "%d events: %s", r.n, r.error);
    CHECK(r.status.end == TRACE_END_CUT && r.status.incomplete_reallocs == 1,
          "cut, the realloc dropped");
    b.len -= 3; /* into the last event */
    read_trace(&b, &r);
    CHECK(!r.error[0] && r.n == 2 && r.status.end == TRACE_END_CUT, "%d events: %s", r.n,
          r.error);
    tb_free(&b);
}

/* Address 0 (free(NULL)) first in a chunk, and addresses named again:
 * coded as distances back, decoded as the same addresses. */
static void addresses_named_again(void)
{
    struct tb b;
    tb_header(&b);
    struct tb_ev t0[] = {EV(TEV_FREE, 1, 0, 0), EV(TEV_FREE, 2, 0, 0),
                         EV(TEV_MALLOC, 3, 0x100, 8), EV(TEV_MALLOC, 4, 0x200, 8),
                         EV(TEV_FREE, 5, 0x100, 0), EV(TEV_MALLOC, 6, 0x100, 16),
                         EV(TEV_FREE, 7, 0x200, 0), EV(TEV_FREE, 8, 0x100, 0)};
    tb_chunk(&b, 0, 0, t0, 8);
    tb_end(&b, 1);
    struct reading r;
    read_trace(&b, &r);
    CHECK(!r.error[0], "%s", r.error);
    CHECK(r.status.free_null == 2 && r.status.unmatched_frees == 0 &&
              r.status.implicit_frees == 0 && r.n == 6,
          "free(NULL) %llu, unmatched %llu, %d events", (unsigned long long)r.status.free_null,
          (unsigned long long)r.status.unmatched_frees, r.n);
    if (r.n == 6)
        CHECK(r.ev[5].op == TRACE_FREE && r.ev[5].size == 16 && r.ev[4].size == 8,
              "each free ends its own object");
    tb_free(&b);
}

int main(void)
{
    addresses_named_again();
    address_reused_by_another_thread();
    equal_stamps_free_first();
    block_reused_during_realloc();
    cross_thread_and_left_out();
    lanes_of_ended_threads();
    late_event();
    cut_short();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
