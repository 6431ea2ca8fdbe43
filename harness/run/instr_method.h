/* instr_method.h - the parent's side of `--instructions`: which way this
 * machine can count the measured loop's instructions (instr_count.h has
 * the worker's side), callgrind's command line, and reading its count. */
#ifndef ALLOCSCOPE_INSTR_METHOD_H
#define ALLOCSCOPE_INSTR_METHOD_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "worker_protocol.h"

/* Runs under callgrind are given this many times their usual timeout. */
#define INSTR_CALLGRIND_TIMEOUT_FACTOR 100

/* `want` is "auto" (perf where this machine counts instructions:u, else
 * callgrind), "perf" or "callgrind". Returns 0 with the method and a
 * description for run.json ("perf instructions:u", "callgrind
 * (valgrind-3.19.0)"), or -1 with a message saying why not. */
int instr_method_choose(const char *want, enum instr_method *out, char *desc, size_t desclen,
                        char *err, size_t errlen);

/* The argv prefix that runs the worker under callgrind, writing to
 * out_file; argv points into w. */
struct callgrind_wrapper {
    char out_arg[PATH_MAX + 32];
    char *argv[8];
};
void instr_callgrind_wrapper(struct callgrind_wrapper *w, const char *out_file);

/* The instructions callgrind collected (its "totals:"/"summary:" line);
 * METRIC_UNSUPPORTED when the file holds none. */
uint64_t instr_callgrind_total(const char *path);

#endif
