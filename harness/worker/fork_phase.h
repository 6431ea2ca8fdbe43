/* fork_phase.h - a fork phase (docs/workloads.md): at its end the worker
 * forks a child that keeps the heap mapped, sleeping or reading the live
 * objects, while the parent runs the next phases, so every page the parent
 * writes is copied first (copy-on-write). The child lives until the run
 * ends: the worker then closes the pipe the child watches and waits for it,
 * so no child outlives the run (the runner also kills the worker's process
 * group). Called by thread 0 inside a pause, the other threads waiting. */
#ifndef ALLOCSCOPE_FORK_PHASE_H
#define ALLOCSCOPE_FORK_PHASE_H

#include <stdbool.h>

struct exec_ctx;

/* Fork the child (a running one from an earlier fork phase is reaped
 * first). Fails the run if fork fails. */
void fork_phase_start(struct exec_ctx *ctx, bool reading);

/* End the child and wait for it; counts it in fork_children_reaped. */
void fork_phase_reap(struct exec_ctx *ctx);

#endif
