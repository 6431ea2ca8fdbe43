/* run_plan.h - which runs a `run` makes and in which order.
 *
 * Order: within each repetition of a workload the allocators run in a
 * fresh random order (Fisher-Yates, xoshiro256** seeded from the run's
 * order seed, the workload's name and the repetition), so no allocator
 * always runs first or last and drift on the machine lands on every side
 * alike. The order depends on nothing else: a shard of a run makes the
 * same order for its workloads as the whole run would.
 *
 * Shards: `--shard I/N` runs the workloads whose 0-based position k in the
 * run's list (files in the order given, workloads in file order) has
 * k mod N == I - 1, every allocator and repetition of each: the allocators
 * a verdict pairs are always measured in one shard, on one machine. */
#ifndef ALLOCSCOPE_RUN_PLAN_H
#define ALLOCSCOPE_RUN_PLAN_H

#include <stddef.h>
#include <stdint.h>

/* perm[0..n) = the allocators' indices in the order to run them. */
void run_plan_order(uint64_t seed, const char *workload, unsigned rep, size_t n, size_t *perm);

/* A seed for a run that was given none (from getrandom, else the clock). */
uint64_t run_plan_new_seed(void);

struct shard {
    unsigned index; /* 1-based; 0 = not sharded */
    unsigned count;
};

/* "I/N" with 1 <= I <= N <= 1000. 0, or -1 with a message in err. */
int shard_parse(const char *text, struct shard *out, char *err, size_t errlen);

/* Whether workload position k (0-based) belongs to the shard. */
int shard_owns(const struct shard *s, size_t k);

#endif
