/* bounded_file.h - reading an input file whole, safely: every file
 * allocscope reads (workload YAML, the registry, summary.csv, samples,
 * run.json) goes through here.
 *
 *  - Only a regular file is read. It is checked with stat() before it is
 *    opened, so a device is never opened, and opened O_NONBLOCK so a FIFO
 *    swapped in between cannot block; fstat() on the open file decides.
 *  - At most max_bytes are accepted: a larger file (or one that grows past
 *    the limit while being read, like /dev/zero would) is refused, never
 *    read into memory without bound.
 *
 * Parent side only (uses malloc). */
#ifndef ALLOCSCOPE_BOUNDED_FILE_H
#define ALLOCSCOPE_BOUNDED_FILE_H

#include <stddef.h>

/* Limits of the files allocscope reads, stated once (docs/results.md). */
#define BOUNDED_YAML_MAX ((size_t)16 << 20)     /* a workload or suite file */
#define BOUNDED_REGISTRY_MAX ((size_t)1 << 20)  /* allocators/registry.yaml */
#define BOUNDED_SUMMARY_MAX ((size_t)64 << 20)  /* summary.csv */
#define BOUNDED_SAMPLES_MAX ((size_t)512 << 20) /* one samples CSV file */
#define BOUNDED_JSON_MAX ((size_t)16 << 20)     /* run.json */

/* The whole file, NUL-terminated (the NUL is not counted in *len), or NULL
 * with errno set and a short reason in `why` ("is a directory", "is a FIFO,
 * not a regular file", "is larger than the limit of 64 MiB", or
 * strerror's text). Free the result with free(). */
char *bounded_read_file(const char *path, size_t max_bytes, size_t *len, char *why,
                        size_t whylen);

#endif
