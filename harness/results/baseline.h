/* baseline.h - named baselines: a run's run.json and summary.csv (and,
 * when asked, its samples) copied to results/baselines/NAME, so that CI
 * can compare against a run committed with the project. */
#ifndef ALLOCSCOPE_BASELINE_H
#define ALLOCSCOPE_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

/* Where baselines live unless --baselines says otherwise (relative to the
 * current directory, which in CI is the repository root). */
#define BASELINE_DEFAULT_DIR "results/baselines"

/* A baseline name: [A-Za-z0-9._-]+, not starting with '.'. */
bool baseline_name_ok(const char *name);

/* RUN_OR_NAME as a run directory: itself when it is a directory holding a
 * summary.csv, else DIR/NAME when NAME is a baseline there. Returns 0, or
 * -1 with a message in err. */
int baseline_resolve(const char *run_or_name, const char *dir, char *out, size_t outlen,
                     char *err, size_t errlen);

/* Copy RUN's run.json and summary.csv (and samples/ when with_samples) to
 * DIR/NAME, creating DIR. Refuses to replace an existing baseline unless
 * replace. Returns 0, or -1 with a message in err. */
int baseline_save(const char *name, const char *run, const char *dir, bool with_samples,
                  bool replace, char *err, size_t errlen);

#endif
