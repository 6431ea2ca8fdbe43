/* run_merge.h - `allocscope merge`: the shards of a `run --shard I/N`
 * (or runs that add repetitions to each other) combined into one run
 * directory, as if one `run` had made it.
 *
 * Refused (nothing written, the message says which inputs and what):
 *  - summary.csv headers that differ (made by different allocscope builds);
 *  - shards of different counts or matrices, a shard given twice, shards
 *    missing (unless `partial`), a mix of shards and whole runs;
 *  - the same (workload, allocator, repetition) in two inputs;
 *  - rows of one workload from different hosts: a paired verdict compares
 *    the allocators of a workload, which must have shared a machine;
 *  - an allocator whose library or env settings differ between inputs, a
 *    workload whose spec hash differs, runs with and without --quick or
 *    with different ways of counting instructions.
 * The merged run.json lists every input under `merged_from` (directory,
 * host, shard, order seed, times); host fields that differ between inputs
 * read "mixed" (so a comparison with another run says the machines
 * differ). samples/ files are copied. */
#ifndef ALLOCSCOPE_RUN_MERGE_H
#define ALLOCSCOPE_RUN_MERGE_H

#include <stdbool.h>
#include <stddef.h>

/* Returns 0 with the merged run in `out` (a new directory, or one without
 * a summary.csv), or -1 with a message in err. argv/argc: the merge's own
 * command line, for run.json. */
int run_merge(char *const *inputs, size_t n, const char *out, bool partial, int argc,
              char **argv, char *err, size_t errlen);

#endif
