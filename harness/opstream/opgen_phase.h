/* opgen_phase.h - what each kind of phase emits (churn, free, script),
 * built on the bookkeeping of opgen_core.h. Called by opgen.c. */
#ifndef ALLOCSCOPE_OPGEN_PHASE_H
#define ALLOCSCOPE_OPGEN_PHASE_H

#include <stddef.h>

#include "opgen_core.h"

/* Emit one phase's ops. Returns 0, or -1 with a message in errbuf. */
int gen_phase(struct gen *g, const struct workload_spec *w, const struct phase_spec *p,
              char *errbuf, size_t errlen);

#endif
