/* verify.c - allocator identity, version and statistics (see verify.h). */
#define _GNU_SOURCE
#include "verify.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file that defines `symbol` in the global lookup scope, as a realpath.
 * dlsym(RTLD_DEFAULT) sees what the program's own calls bind to: the
 * preloaded library first, then libc. */
static int provider_of(const char *symbol, char *out, size_t outlen)
{
    void *fn = dlsym(RTLD_DEFAULT, symbol);
    Dl_info info;
    if (!fn || !dladdr(fn, &info) || !info.dli_fname)
        return -1;
    char real[PATH_MAX];
    if (!realpath(info.dli_fname, real))
        snprintf(real, sizeof real, "%s", info.dli_fname);
    snprintf(out, outlen, "%s", real);
    return 0;
}

int verify_malloc_provider(const char *expect_path, char *served_by, size_t served_len,
                           char *err, size_t errlen)
{
    static const char *const symbols[] = {"malloc", "free", "calloc", "realloc"};
    if (provider_of("malloc", served_by, served_len) < 0) {
        snprintf(err, errlen, "cannot resolve malloc with dlsym/dladdr");
        return -1;
    }
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        char path[PATH_MAX];
        if (provider_of(symbols[i], path, sizeof path) < 0) {
            snprintf(err, errlen, "cannot resolve %s with dlsym/dladdr", symbols[i]);
            return -1;
        }
        if (strcmp(path, expect_path) != 0) {
            snprintf(err, errlen,
                     "allocator verification failed: %s is served by %s, expected %s "
                     "(the preload did not take effect or the library does not "
                     "override malloc)",
                     symbols[i], path, expect_path);
            return -1;
        }
    }
    return 0;
}

void read_allocator_version(const char *probe, const char *symbol, char *out, size_t outlen)
{
    out[0] = '\0';
    if (strcmp(probe, "none") == 0 || !symbol[0])
        return;
    void *fn = dlsym(RTLD_DEFAULT, symbol);
    if (strcmp(probe, "mallctl") == 0) {
        int (*mallctl)(const char *, void *, size_t *, void *, size_t) =
            (int (*)(const char *, void *, size_t *, void *, size_t))dlsym(RTLD_DEFAULT,
                                                                           "mallctl");
        const char *version = NULL;
        size_t len = sizeof version;
        if (mallctl && mallctl(symbol, &version, &len, NULL, 0) == 0 && version)
            snprintf(out, outlen, "%s", version);
        return;
    }
    if (!fn)
        return;
    if (strcmp(probe, "int_function") == 0)
        snprintf(out, outlen, "%d", ((int (*)(void))fn)());
    else if (strcmp(probe, "glibc") == 0 || strcmp(probe, "string_function") == 0) {
        const char *v = ((const char *(*)(void))fn)();
        if (v)
            snprintf(out, outlen, "%s", v);
    }
}

static void add_stat(struct result_region *res, const char *key, uint64_t value)
{
    if (res->alloc_stat_count >= ALLOC_STATS_MAX)
        return;
    struct alloc_stat *s = &res->alloc_stats[res->alloc_stat_count++];
    snprintf(s->key, sizeof s->key, "%s", key);
    s->value = value;
}

/* glibc's struct mallinfo2 (malloc.h), declared here so the worker does not
 * depend on which allocator's headers are installed. */
struct glibc_mallinfo2 {
    size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks,
        keepcost;
};

static void glibc_stats(struct result_region *res)
{
    struct glibc_mallinfo2 (*mallinfo2)(void) =
        (struct glibc_mallinfo2(*)(void))dlsym(RTLD_DEFAULT, "mallinfo2");
    if (!mallinfo2)
        return;
    struct glibc_mallinfo2 mi = mallinfo2();
    add_stat(res, "glibc.arena", mi.arena);
    add_stat(res, "glibc.mmapped", mi.hblkhd);
    add_stat(res, "glibc.in_use", mi.uordblks);
    add_stat(res, "glibc.free", mi.fordblks);
    add_stat(res, "glibc.top_releasable", mi.keepcost);
}

static void jemalloc_stats(struct result_region *res)
{
    int (*mallctl)(const char *, void *, size_t *, void *, size_t) =
        (int (*)(const char *, void *, size_t *, void *, size_t))dlsym(RTLD_DEFAULT, "mallctl");
    if (!mallctl)
        return;
    /* Statistics are snapshots refreshed by writing the epoch. */
    uint64_t epoch = 1;
    size_t elen = sizeof epoch;
    mallctl("epoch", &epoch, &elen, &epoch, elen);
    static const char *const keys[] = {"stats.allocated", "stats.active", "stats.resident",
                                       "stats.mapped", "stats.retained"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        size_t v = 0, len = sizeof v;
        if (mallctl(keys[i], &v, &len, NULL, 0) == 0) {
            char key[40];
            snprintf(key, sizeof key, "jemalloc.%s", keys[i] + 6);
            add_stat(res, key, v);
        }
    }
    /* How jemalloc was configured: MALLOC_CONF variants show here. */
    unsigned narenas = 0;
    size_t nlen = sizeof narenas;
    if (mallctl("opt.narenas", &narenas, &nlen, NULL, 0) == 0)
        add_stat(res, "jemalloc.opt.narenas", narenas);
    /* opt.thp is a name ("default", "always", "never"): kept as a flag. */
    const char *thp = NULL;
    size_t tlen = sizeof thp;
    if (mallctl("opt.thp", &thp, &tlen, NULL, 0) == 0 && thp)
        add_stat(res, "jemalloc.opt.thp_always", strcmp(thp, "always") == 0);
}

static void mimalloc_stats(struct result_region *res)
{
    void (*info)(size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *,
                 size_t *) =
        (void (*)(size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *,
                  size_t *))dlsym(RTLD_DEFAULT, "mi_process_info");
    if (!info)
        return;
    size_t elapsed, user, sys, rss, peak_rss, commit, peak_commit, faults;
    info(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
    add_stat(res, "mimalloc.current_rss", rss);
    add_stat(res, "mimalloc.peak_rss", peak_rss);
    add_stat(res, "mimalloc.current_commit", commit);
    add_stat(res, "mimalloc.peak_commit", peak_commit);
}

void read_allocator_stats(const char *stats, struct result_region *res)
{
    if (strcmp(stats, "glibc") == 0)
        glibc_stats(res);
    else if (strcmp(stats, "jemalloc") == 0)
        jemalloc_stats(res);
    else if (strcmp(stats, "mimalloc") == 0)
        mimalloc_stats(res);
}
