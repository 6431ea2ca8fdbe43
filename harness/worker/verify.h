/* verify.h - in the child: which library really serves malloc, what version
 * the allocator reports, and its own end-of-run statistics. These run before
 * the baseline or after the last op, never while ops are measured. */
#ifndef ALLOCSCOPE_VERIFY_H
#define ALLOCSCOPE_VERIFY_H

#include <stddef.h>

#include "worker_protocol.h"

/* Resolve malloc, free, calloc and realloc as the program sees them and
 * check that all come from `expect_path` (a realpath). Fills served_by with
 * malloc's library; on mismatch returns -1 with a message in err. */
int verify_malloc_provider(const char *expect_path, char *served_by, size_t served_len,
                           char *err, size_t errlen);

/* probe: "none", "glibc", "mallctl", "int_function", "string_function". */
void read_allocator_version(const char *probe, const char *symbol, char *out, size_t outlen);

/* stats: "none", "glibc", "jemalloc", "mimalloc". */
void read_allocator_stats(const char *stats, struct result_region *res);

#endif
