/* variant_probe.h - what only the allocator can say about its settings.
 * Before anything runs, every variant with env settings is started as a
 * worker in --probe mode with exactly the environment its runs will have:
 * it must verify that its library serves malloc, and the allocator must
 * say nothing on stderr. jemalloc reports an unknown or malformed option
 * there ("<jemalloc>: Invalid conf pair: ..."); mimalloc reports a bad
 * value there when MIMALLOC_SHOW_ERRORS is on, which the probe (only the
 * probe) turns on for variants that set MIMALLOC_* variables. glibc
 * ignores a wrong tunable silently: alloc_env.h checks those. */
#ifndef ALLOCSCOPE_VARIANT_PROBE_H
#define ALLOCSCOPE_VARIANT_PROBE_H

#include <stddef.h>

#include "registry.h"

/* 0 when the variant starts quietly; -1 with "WHERE: message" in err, WHERE
 * being the offending setting's FILE:LINE:COL (or its --env option). */
int variant_probe(const struct allocator_entry *a, const char *worker, char *err,
                  size_t errlen);

#endif
