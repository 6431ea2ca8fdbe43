/* run_plan.c - the order of a run's allocators and its shards
 * (run_plan.h). */
#define _GNU_SOURCE
#include "run_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "prng.h"

/* FNV-1a: the workload's name into the seed, stable across builds. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

void run_plan_order(uint64_t seed, const char *workload, unsigned rep, size_t n, size_t *perm)
{
    uint64_t x = seed ^ name_hash(workload);
    struct prng r;
    prng_seed(&r, prng_splitmix64(&x) + rep);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)prng_below(&r, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

uint64_t run_plan_new_seed(void)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed)
        return seed >> 11; /* 53 bits: exact in JSON readers that use doubles */
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    uint64_t x = (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec + (uint64_t)getpid();
    return prng_splitmix64(&x) >> 11;
}

int shard_parse(const char *text, struct shard *out, char *err, size_t errlen)
{
    char *end;
    unsigned long i = strtoul(text, &end, 10), n = 0;
    if (end != text && *end == '/' && end[1] >= '0' && end[1] <= '9') {
        const char *p = end + 1;
        n = strtoul(p, &end, 10);
    }
    if (*end || n < 1 || n > 1000 || i < 1 || i > n || text[0] < '0' || text[0] > '9') {
        snprintf(err, errlen, "--shard must be I/N with 1 <= I <= N <= 1000, got '%s'", text);
        return -1;
    }
    out->index = (unsigned)i;
    out->count = (unsigned)n;
    return 0;
}

int shard_owns(const struct shard *s, size_t k)
{
    return s->count == 0 || k % s->count == s->index - 1;
}
