/* churn_bench.c - a small standalone allocator benchmark (not a test).
 *
 * Each of T threads keeps its own table of W slots and performs N
 * operations: pick a random slot, free what it holds, allocate a new object
 * of a random size in [MIN, MAX] and touch its first and last byte.  Run it
 * under LD_PRELOAD to compare allocators.  Prints one line:
 *   threads=T ops=TOTAL seconds=S mops_per_s=M peak_rss_kib=R
 * The slot tables come from mmap so the driver stays out of the measured
 * heap; the random stream depends only on the seed and the thread number.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

struct config {
    unsigned threads;
    uint64_t ops;
    size_t window, min_size, max_size;
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

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    const struct config *cfg = w->cfg;
    size_t table_bytes = cfg->window * sizeof(char *);
    char **slots = mmap(NULL, table_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    uint64_t rng = cfg->seed * 0x9E3779B97F4A7C15ULL + w->index + 1;
    size_t span = cfg->max_size - cfg->min_size + 1;
    pthread_barrier_wait(w->start);
    for (uint64_t i = 0; i < cfg->ops; i++) {
        uint64_t r = next_random(&rng);
        size_t slot = (size_t)(r % cfg->window);
        size_t size = cfg->min_size + (size_t)((r >> 32) % span);
        free(slots[slot]);
        char *p = malloc(size);
        if (!p) {
            fprintf(stderr, "malloc(%zu) failed\n", size);
            exit(1);
        }
        p[0] = (char)i;
        p[size - 1] = (char)i;
        slots[slot] = p;
    }
    for (size_t s = 0; s < cfg->window; s++)
        free(slots[s]);
    munmap(slots, table_bytes);
    return NULL;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
    struct config cfg = { 1, 10000000, 10000, 16, 512, 1 };
    int opt;
    while ((opt = getopt(argc, argv, "t:n:w:s:S:r:h")) != -1) {
        switch (opt) {
        case 't': cfg.threads = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'n': cfg.ops = strtoull(optarg, NULL, 0); break;
        case 'w': cfg.window = strtoull(optarg, NULL, 0); break;
        case 's': cfg.min_size = strtoull(optarg, NULL, 0); break;
        case 'S': cfg.max_size = strtoull(optarg, NULL, 0); break;
        case 'r': cfg.seed = strtoull(optarg, NULL, 0); break;
        default:
            fprintf(stderr, "usage: %s [-t threads] [-n ops/thread] [-w slots/thread] "
                            "[-s min size] [-S max size] [-r seed]\n", argv[0]);
            return opt == 'h' ? 0 : 2;
        }
    }
    if (!cfg.threads || !cfg.window || !cfg.min_size || cfg.max_size < cfg.min_size) {
        fprintf(stderr, "invalid arguments\n");
        return 2;
    }
    static struct worker workers[256];
    if (cfg.threads > 256)
        cfg.threads = 256;
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, cfg.threads + 1);
    for (unsigned t = 0; t < cfg.threads; t++) {
        workers[t] = (struct worker){ .cfg = &cfg, .index = t, .start = &start };
        pthread_create(&workers[t].thread, NULL, run_worker, &workers[t]);
    }
    struct timespec t0;
    pthread_barrier_wait(&start);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned t = 0; t < cfg.threads; t++)
        pthread_join(workers[t].thread, NULL);
    double secs = seconds_since(&t0);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t total = cfg.ops * cfg.threads;
    printf("threads=%u ops=%llu seconds=%.4f mops_per_s=%.3f peak_rss_kib=%ld\n", cfg.threads,
           (unsigned long long)total, secs, (double)total / secs / 1e6, ru.ru_maxrss);
    return 0;
}
