/* trace_facts.c - see trace_facts.h. */
#include "trace_facts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define SUB_BINS 64 /* per power of two, above 64 bytes */
#define TRACE_SIZE_BINS (64 * SUB_BINS + SUB_BINS)

unsigned trace_log2_bucket(uint64_t v)
{
    return v ? 64u - (unsigned)__builtin_clzll(v) : 0;
}

/* Sizes below 64 keep a bin each; above, 64 bins per power of two. */
static size_t size_bin(uint64_t size)
{
    if (size < SUB_BINS)
        return (size_t)size;
    unsigned top = 63u - (unsigned)__builtin_clzll(size); /* >= 6 */
    uint64_t sub = (size >> (top - 6)) & (SUB_BINS - 1);
    return (size_t)(top - 5) * SUB_BINS + (size_t)sub;
}

static void fold_sizes(struct trace_facts *f)
{
    f->bin_count = xcalloc(TRACE_SIZE_BINS, sizeof *f->bin_count);
    f->bin_sum = xcalloc(TRACE_SIZE_BINS, sizeof *f->bin_sum);
    for (size_t i = 0; i < f->exact_sizes.cap; i++)
        if (f->exact_sizes.used[i]) {
            size_t b = size_bin(f->exact_sizes.keys[i]);
            f->bin_count[b] += f->exact_sizes.values[i];
            f->bin_sum[b] += f->exact_sizes.keys[i] * f->exact_sizes.values[i];
        }
    u64_map_free(&f->exact_sizes);
    f->sizes_folded = true;
}

static void count_size(struct trace_facts *f, uint64_t size)
{
    if (!f->sizes_folded) {
        uint64_t *c = u64_map_get(&f->exact_sizes, size);
        if (c) {
            (*c)++;
            return;
        }
        if (f->exact_sizes.count < TRACE_SIZE_TABLE_MAX) {
            u64_map_put(&f->exact_sizes, size, 1);
            return;
        }
        fold_sizes(f);
    }
    size_t b = size_bin(size);
    f->bin_count[b]++;
    f->bin_sum[b] += size;
}

static char *copy_text(const char *s, size_t len)
{
    char *c = xcalloc(len + 1, 1);
    memcpy(c, s, len);
    return c;
}

struct scan_state {
    uint64_t live_bytes, live_objects, allocs;
    double live_sum;
};

static void add_event(struct trace_facts *f, struct scan_state *s, const struct trace_event *ev)
{
    f->events++;
    f->ops[ev->op]++;
    f->by_call[ev->call]++;
    s->live_sum += (double)s->live_objects;
    switch (ev->op) {
    case TRACE_ALLOC:
        f->alloc_by_call[ev->call]++;
        s->live_bytes += ev->size;
        s->live_objects++;
        s->allocs++;
        f->size_hist[trace_log2_bucket(ev->size)]++;
        count_size(f, ev->size);
        if (ev->align)
            f->align_hist[trace_log2_bucket(ev->align) - 1]++;
        break;
    case TRACE_REALLOC:
        s->live_bytes += ev->size - ev->old_size;
        f->wide_reallocs += ev->size >= (1ULL << 32) || ev->old_size >= (1ULL << 32);
        f->size_hist[trace_log2_bucket(ev->size)]++;
        if (ev->old_size && ev->size) {
            double q = round(4.0 * log2((double)ev->size / (double)ev->old_size));
            int bin = (int)q + TRACE_RATIO_BINS / 2;
            bin = bin < 0 ? 0 : bin >= TRACE_RATIO_BINS ? TRACE_RATIO_BINS - 1 : bin;
            f->realloc_ratio_bins[bin]++;
        }
        break;
    case TRACE_FREE:
        s->live_bytes -= ev->size;
        s->live_objects--;
        f->lifetime_ns_hist[trace_log2_bucket(ev->t_ns - ev->birth_ns)]++;
        f->lifetime_allocs_hist[trace_log2_bucket(s->allocs - ev->birth_alloc - 1)]++;
        if (!ev->implicit) {
            f->frees++;
            f->cross_thread_frees += ev->thread != ev->birth_thread;
            /* Age (allocations since its own) over the live objects. */
            double live = ev->live_objects ? (double)ev->live_objects : 1.0;
            unsigned bin = (unsigned)(10.0 * (double)(s->allocs - ev->birth_alloc - 1) / live);
            f->age_bins[bin < TRACE_AGE_BINS ? bin : TRACE_AGE_BINS - 1]++;
        }
        break;
    case TRACE_OP_COUNT:
        break;
    }
    if (s->live_bytes > f->peak_live_bytes) {
        f->peak_live_bytes = s->live_bytes;
        f->peak_live_ns = ev->t_ns;
    }
    if (s->live_objects > f->max_live_objects)
        f->max_live_objects = s->live_objects;
    if (ev->t_ns > f->duration_ns)
        f->duration_ns = ev->t_ns;
}

int trace_scan(const char *path, struct trace_facts *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    u64_map_init(&f->exact_sizes);
    struct trace_reader *r = trace_open(path, err, errlen);
    if (!r)
        return -1;
    struct scan_state s = {0};
    struct trace_event ev;
    int rc;
    while ((rc = trace_next(r, &ev)) == 1)
        add_event(f, &s, &ev);
    if (rc < 0) {
        snprintf(err, errlen, "%s", trace_error(r));
        trace_close(r);
        trace_facts_free(f);
        return -1;
    }
    const struct trace_header *h = trace_header(r);
    f->path = copy_text(path, strlen(path));
    f->version = h->version;
    f->program = copy_text(h->program, strlen(h->program));
    f->host = copy_text(h->host, strlen(h->host));
    f->clock = copy_text(h->clock, strlen(h->clock));
    f->recorder = copy_text(h->recorder, strlen(h->recorder));
    f->argv = copy_text(h->argv, h->argv_len);
    f->argv_len = h->argv_len;
    f->pid = h->pid;
    f->start_unix_ns = h->start_unix_ns;
    f->status = *trace_status(r);
    f->lanes = f->status.lanes ? f->status.lanes : 1;
    f->final_live_bytes = s.live_bytes;
    f->final_live_objects = s.live_objects;
    f->mean_live_objects = f->events ? s.live_sum / (double)f->events : 0;
    trace_close(r);
    return 0;
}

void trace_facts_free(struct trace_facts *f)
{
    free(f->path);
    free(f->program);
    free(f->host);
    free(f->clock);
    free(f->recorder);
    free(f->argv);
    u64_map_free(&f->exact_sizes);
    free(f->bin_count);
    free(f->bin_sum);
    memset(f, 0, sizeof *f);
}

static int by_count(const void *a, const void *b)
{
    const struct trace_size_entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return x->size < y->size ? -1 : x->size > y->size;
}

size_t trace_facts_size_table(const struct trace_facts *f, struct trace_size_entry *out,
                              size_t max)
{
    size_t n = 0, cap = TRACE_SIZE_BINS > TRACE_SIZE_TABLE_MAX ? TRACE_SIZE_BINS
                                                                : TRACE_SIZE_TABLE_MAX;
    struct trace_size_entry *all = xcalloc(cap, sizeof *all);
    if (!f->sizes_folded) {
        for (size_t i = 0; i < f->exact_sizes.cap; i++)
            if (f->exact_sizes.used[i])
                all[n++] = (struct trace_size_entry){f->exact_sizes.keys[i],
                                                     f->exact_sizes.values[i]};
    } else {
        for (size_t b = 0; b < TRACE_SIZE_BINS; b++)
            if (f->bin_count[b]) /* the bin's mean size stands for it */
                all[n++] = (struct trace_size_entry){
                    (f->bin_sum[b] + f->bin_count[b] / 2) / f->bin_count[b], f->bin_count[b]};
    }
    qsort(all, n, sizeof *all, by_count);
    if (n > max)
        n = max;
    memcpy(out, all, n * sizeof *out);
    free(all);
    return n;
}
