/* page_controls.h - the page-level run conditions a workload may ask for
 * (docs/workloads.md): `thp: never` and `lock: all`. Both act on the
 * worker process itself, before the baseline. */
#ifndef ALLOCSCOPE_PAGE_CONTROLS_H
#define ALLOCSCOPE_PAGE_CONTROLS_H

#include "worker_protocol.h"

/* thp: never: PR_SET_THP_DISABLE (no transparent huge page is faulted in
 * or collapsed for this process from now on, whatever the system mode and
 * madvise say). Records in res->thp_disabled what the kernel then reports.
 * Returns 0, or -1 with res->error set. Call before the allocator maps
 * anything it will use. */
int page_thp_apply(struct result_region *res);

/* lock: all: raise RLIMIT_MEMLOCK to unlimited where allowed, then
 * mlockall(MCL_CURRENT | MCL_FUTURE): every page mapped now or later is
 * resident from the moment it is mapped. Returns 0, or -1 with res->error
 * saying why (the limit in force and how to raise it). */
int page_lock_apply(struct result_region *res);

#endif
