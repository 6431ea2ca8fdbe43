/* test_convert.c - a hand-made trace converted into the worker's op stream
 * (opsource.h -> trace_convert.c): the calls map to the right ops, a
 * realloc chain stays on its slot, a cross-thread free waits for its
 * allocation, the stream can be executed in its global order without a
 * wait that never ends, the totals are the trace's, and pacing adds waits
 * that are not ops. */
#include <math.h>
#include <unistd.h>

#include "check_msg.h"
#include "opsource.h"
#include "trace_build.h"

#define MAX_OPS 256

struct stream {
    uint32_t lanes;
    struct op ops[OPWINDOW_MAX_THREADS][MAX_OPS];
    size_t n[OPWINDOW_MAX_THREADS];
    struct opgen_totals totals;
};

static void convert(const struct workload_spec *w, struct stream *s)
{
    char err[1200];
    memset(s, 0, sizeof *s);
    struct opsource *src = opsource_new(w, NULL, 1024, err, sizeof err);
    CHECK(src, "opsource_new: %s", err);
    if (!src)
        return;
    s->lanes = opsource_threads(src);
    struct opwindow_header *win = malloc(opwindow_bytes(1024));
    opwindow_init(win, s->lanes, 1024);
    do {
        if (opsource_next_chunk(src, win, err, sizeof err) < 0) {
            CHECK(0, "chunk: %s", err);
            break;
        }
        for (uint32_t t = 0; t < s->lanes; t++)
            for (uint64_t i = 0; i < win->seg[t].count && s->n[t] < MAX_OPS; i++)
                s->ops[t][s->n[t]++] = opwindow_ops(win)[win->seg[t].first + i];
    } while (!win->last);
    s->totals = *opsource_totals(src);
    opsource_free(src);
    free(win);
}

/* Execute the stream as the worker may: any lane whose next op can run
 * runs it. Every op's seq must equal its slot's executed ops then, a
 * waiting op must wait for an earlier one, and all must run. */
static void execute_in_any_order(const struct stream *s)
{
    uint32_t slot_ops[4096] = {0};
    size_t next[OPWINDOW_MAX_THREADS] = {0}, total = 0, done = 0;
    for (uint32_t t = 0; t < s->lanes; t++) {
        total += s->n[t];
        for (size_t i = 1; i < s->n[t]; i++)
            CHECK(s->ops[t][i].gidx > s->ops[t][i - 1].gidx, "lane %u in global order", t);
    }
    for (bool progress = true; progress;) {
        progress = false;
        for (uint32_t t = 0; t < s->lanes; t++) {
            if (next[t] == s->n[t])
                continue;
            const struct op *op = &s->ops[t][next[t]];
            if (op_is_marker(op->kind)) {
                next[t]++, done++, progress = true;
                continue;
            }
            if (op->slot >= 4096 || slot_ops[op->slot] != op->seq) {
                CHECK(op->slot < 4096 && (op->flags & OPF_WAIT),
                      "lane %u op %u must wait but has no OPF_WAIT", t, op->gidx);
                continue;
            }
            slot_ops[op->slot]++;
            next[t]++, done++, progress = true;
        }
    }
    CHECK(done == total, "%zu of %zu ops could run: a wait never ends", done, total);
}

static const struct op *find(const struct stream *s, uint32_t lane, unsigned kind,
                             unsigned nth)
{
    for (size_t i = 0; i < s->n[lane]; i++)
        if (s->ops[lane][i].kind == kind && nth-- == 0)
            return &s->ops[lane][i];
    return NULL;
}

int main(void)
{
    struct tb b;
    tb_header(&b);
    struct tb_ev t0[] = {
        {.kind = TEV_MALLOC, .stamp = 10, .addr = 0xa000, .size = 100},
        {.kind = TEV_CALLOC, .stamp = 20, .addr = 0xb000, .n = 4, .size = 25},
        {.kind = TEV_REALLOC_BEGIN, .stamp = 29, .addr = 0xa000},
        {.kind = TEV_REALLOC_END, .stamp = 30, .addr = 0xa800, .size = 300},
        {.kind = TEV_MEMALIGN, .stamp = 40, .addr = 0xc000, .align = 24, .size = 10},
        {.kind = TEV_ALIGNED_ALLOC, .stamp = 50, .addr = 0xd000, .align = 64, .size = 100},
        {.kind = TEV_ALIGNED_ALLOC, .stamp = 60, .addr = 0xe000, .align = 64, .size = 128},
        {.kind = TEV_PVALLOC, .stamp = 70, .addr = 0xf000, .size = 5000},
    };
    struct tb_ev t1[] = {
        {.kind = TEV_FREE, .stamp = 80, .addr = 0xa800},
        {.kind = TEV_FREE, .stamp = 85, .addr = 0xb000},
        {.kind = TEV_REALLOC_BEGIN, .stamp = 90, .addr = 0},
        {.kind = TEV_REALLOC_END, .stamp = 91, .addr = 0x10000, .size = 50},
    };
    tb_chunk(&b, 0, 0, t0, sizeof t0 / sizeof t0[0]);
    tb_chunk(&b, 1, 0, t1, sizeof t1 / sizeof t1[0]);
    tb_end(&b, 2);
    char path[] = "/tmp/allocscope-convert-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && tb_write(&b, path) == 0, "cannot write %s", path);

    struct phase_spec phase = {.name = "trace", .kind = PHASE_TRACE, .touch = TOUCH_FIRST};
    struct workload_spec w = {.name = "t", .seed = 1, .teardown = true, .phases = &phase,
                              .phase_count = 1, .trace_path = path, .time_scale = 1};
    static struct stream s, paced;
    convert(&w, &s);
    CHECK(s.lanes == 2, "%u lanes", s.lanes);
    const struct op *a = find(&s, 0, OP_MALLOC, 0), *bc = find(&s, 0, OP_CALLOC, 0),
                    *ra = find(&s, 0, OP_REALLOC, 0), *c = find(&s, 0, OP_POSIX_MEMALIGN, 0),
                    *d = find(&s, 0, OP_POSIX_MEMALIGN, 1), *e = find(&s, 0, OP_ALIGNED_ALLOC, 0),
                    *f = find(&s, 0, OP_POSIX_MEMALIGN, 2), *fa = find(&s, 1, OP_FREE, 0),
                    *fb = find(&s, 1, OP_FREE, 1), *g = find(&s, 1, OP_REALLOC, 0);
    CHECK(a && a->size == 100 && a->touch == OP_TOUCH_FIRST, "malloc(100)");
    CHECK(bc && bc->size == 100, "calloc(4, 25): 100 bytes");
    CHECK(a && ra && ra->slot == a->slot && op_realloc_new_size(ra) == 300 &&
              op_realloc_old_size(ra) == 100 && ra->seq == 1,
          "the realloc is an op on the object's slot");
    CHECK(c && c->align_log2 == 5 && c->size == 10, "memalign(24): posix_memalign at 32");
    CHECK(d && d->align_log2 == 6 && d->size == 100,
          "aligned_alloc(64, 100): posix_memalign (100 is no multiple of 64)");
    CHECK(e && e->align_log2 == 6 && e->size == 128, "aligned_alloc(64, 128) as itself");
    CHECK(f && f->align_log2 == 12 && f->size == 8192, "pvalloc(5000): a page-rounded block");
    CHECK(a && fa && fa->slot == a->slot && (fa->flags & OPF_WAIT) && fa->seq == 2 &&
              fa->size == 300,
          "the cross-thread free waits for the malloc and the realloc");
    CHECK(bc && fb && fb->slot == bc->slot && (fb->flags & OPF_WAIT) && fb->seq == 1, "the other cross-thread free waits too");
    CHECK(g && op_realloc_new_size(g) == 50 && op_realloc_old_size(g) == 0 && g->seq == 0,
          "realloc(NULL, 50): a realloc on an empty slot");
    execute_in_any_order(&s);
    /* 7 allocations, 1 realloc, 2 frees, and 5 teardown frees. */
    CHECK(s.totals.complete && s.totals.ops == 15, "%llu ops",
          (unsigned long long)s.totals.ops);
    CHECK(s.totals.peak_live_bytes == 100 + 100 + 200 + 10 + 100 + 128 + 8192,
          "peak live %llu", (unsigned long long)s.totals.peak_live_bytes);
    CHECK(s.totals.marker_ops == 4, "a phase end per lane, twice");

    w.pace = PACE_RECORDED;
    w.time_scale = 10000; /* stamps 10 ns apart become 100 us */
    convert(&w, &paced);
    uint64_t delays = 0;
    for (uint32_t t = 0; t < paced.lanes; t++)
        for (size_t i = 0; i < paced.n[t]; i++)
            if (paced.ops[t][i].kind == OP_DELAY) {
                delays++;
                CHECK(paced.ops[t][i].size % 10000 == 0, "a wait until %llu ns (a stamp x 10000)",
                      (unsigned long long)paced.ops[t][i].size);
            }
    CHECK(delays >= 8, "%llu waits", (unsigned long long)delays);
    CHECK(paced.totals.ops == s.totals.ops && paced.totals.hash != s.totals.hash,
          "waits are no ops, but part of the stream");
    execute_in_any_order(&paced);
    unlink(path);
    tb_free(&b);
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
