/* bigblock_bench.c - very large blocks, allocated and freed over and over
 * (a benchmark, not a test).
 *
 * Each iteration allocates a block of a random size between MIN and MAX
 * MiB (5 to 25 by default), writes one byte in every page of it (as a
 * program filling a buffer would), and frees the oldest of the L blocks it
 * keeps (1: every block is freed before the next is made).  Under
 * LD_PRELOAD this shows whether an allocator keeps such blocks for reuse
 * (glibc's mmap threshold rises with use) or maps and unmaps each one
 * (every page faults again).  Prints one line:
 *   iterations=N seconds=S faults=F peak_rss_kib=R
 * Its own tables come from mmap, so the driver stays out of the heap.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static long minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

int main(int argc, char **argv)
{
    unsigned long iterations = 2000, live = 1, min_mib = 5, max_mib = 25, seed = 1;
    int opt;
    while ((opt = getopt(argc, argv, "n:l:m:M:r:h")) != -1) {
        switch (opt) {
        case 'n': iterations = strtoul(optarg, NULL, 0); break;
        case 'l': live = strtoul(optarg, NULL, 0); break;
        case 'm': min_mib = strtoul(optarg, NULL, 0); break;
        case 'M': max_mib = strtoul(optarg, NULL, 0); break;
        case 'r': seed = strtoul(optarg, NULL, 0); break;
        default:
            fprintf(stderr, "usage: %s [-n iterations] [-l blocks kept] [-m min MiB] [-M max MiB] [-r seed]\n",
                    argv[0]);
            return opt == 'h' ? 0 : 2;
        }
    }
    if (!live || !min_mib || max_mib < min_mib) {
        fprintf(stderr, "invalid arguments\n");
        return 2;
    }
    char **kept = mmap(NULL, live * sizeof(char *), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (kept == MAP_FAILED)
        return 1;
    uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
    long faults0 = minor_faults();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned long i = 0; i < iterations; i++) {
        size_t size = ((size_t)min_mib << 20) + next_random(&rng) % (((max_mib - min_mib) << 20) + 1);
        char *p = malloc(size);
        if (!p) {
            fprintf(stderr, "malloc(%zu) failed\n", size);
            return 1;
        }
        for (size_t at = 0; at < size; at += 4096)
            p[at] = (char)i;
        p[size - 1] = (char)i;
        unsigned long slot = i % live;
        free(kept[slot]);
        kept[slot] = p;
    }
    for (unsigned long s = 0; s < live; s++)
        free(kept[s]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("iterations=%lu seconds=%.4f faults=%ld peak_rss_kib=%ld\n", iterations, secs,
           minor_faults() - faults0, ru.ru_maxrss);
    return 0;
}
