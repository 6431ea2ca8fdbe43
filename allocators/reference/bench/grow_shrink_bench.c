/* grow_shrink_bench.c - many threads whose heaps grow and shrink over and
 * over (a benchmark, not a test).
 *
 * Each of T threads runs R rounds: it allocates objects (sizes drawn
 * log-uniformly between 16 B and 64 KiB, first and last byte written, one
 * byte per page) until it holds B MiB, then frees them all in random order;
 * threads run concurrently, so the process heap swells and drains as a
 * whole.  Under LD_PRELOAD this shows how an allocator's purging policy
 * meets a heap that will grow again: memory given back at once is faulted
 * in again every round.  Prints one line:
 *   threads=T rounds=R seconds=S faults=F peak_rss_kib=K
 * Its own tables come from mmap, so the driver stays out of the heap.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

struct config {
    unsigned threads, rounds;
    size_t bytes; /* held per thread at the top of a round */
    uint64_t seed;
};

struct worker {
    pthread_t thread;
    const struct config *cfg;
    unsigned index;
    pthread_barrier_t *start;
};

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* 16 B .. 64 KiB, uniform in log2: every size class and span length */
static size_t draw_size(uint64_t *rng)
{
    double u = (double)(next_random(rng) >> 11) / 9007199254740992.0;
    return (size_t)exp2(4.0 + 12.0 * u);
}

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    const struct config *cfg = w->cfg;
    size_t cap = cfg->bytes / 16 + 1;
    char **held = mmap(NULL, cap * sizeof(char *), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (held == MAP_FAILED)
        exit(1);
    uint64_t rng = cfg->seed * 0x9E3779B97F4A7C15ULL + w->index + 1;
    pthread_barrier_wait(w->start);
    for (unsigned round = 0; round < cfg->rounds; round++) {
        size_t n = 0, total = 0;
        while (total < cfg->bytes && n < cap) { /* grow */
            size_t size = draw_size(&rng);
            char *p = malloc(size);
            if (!p) {
                fprintf(stderr, "malloc(%zu) failed\n", size);
                exit(1);
            }
            for (size_t at = 0; at < size; at += 4096)
                p[at] = (char)round;
            p[size - 1] = (char)round;
            held[n++] = p;
            total += size;
        }
        for (size_t i = n; i > 1; i--) { /* shrink, in random order */
            size_t j = next_random(&rng) % i;
            char *t = held[i - 1];
            held[i - 1] = held[j];
            held[j] = t;
        }
        for (size_t i = 0; i < n; i++)
            free(held[i]);
    }
    munmap(held, cap * sizeof(char *));
    return NULL;
}

int main(int argc, char **argv)
{
    struct config cfg = { 8, 20, (size_t)16 << 20, 1 };
    int opt;
    while ((opt = getopt(argc, argv, "t:R:b:r:h")) != -1) {
        switch (opt) {
        case 't': cfg.threads = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'R': cfg.rounds = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'b': cfg.bytes = strtoull(optarg, NULL, 0) << 20; break;
        case 'r': cfg.seed = strtoull(optarg, NULL, 0); break;
        default:
            fprintf(stderr, "usage: %s [-t threads] [-R rounds] [-b MiB per thread] [-r seed]\n", argv[0]);
            return opt == 'h' ? 0 : 2;
        }
    }
    if (!cfg.threads || cfg.threads > 256 || !cfg.bytes) {
        fprintf(stderr, "invalid arguments\n");
        return 2;
    }
    static struct worker workers[256];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, cfg.threads + 1);
    for (unsigned t = 0; t < cfg.threads; t++) {
        workers[t] = (struct worker){ .cfg = &cfg, .index = t, .start = &start };
        pthread_create(&workers[t].thread, NULL, run_worker, &workers[t]);
    }
    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    struct timespec t0, t1;
    pthread_barrier_wait(&start);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned t = 0; t < cfg.threads; t++)
        pthread_join(workers[t].thread, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("threads=%u rounds=%u seconds=%.4f faults=%ld peak_rss_kib=%ld\n", cfg.threads, cfg.rounds, secs,
           ru.ru_minflt - ru0.ru_minflt, ru.ru_maxrss);
    return 0;
}
