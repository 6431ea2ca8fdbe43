/* progress.h - the progress line of long runs. On a terminal, stderr shows
 * "[7/24] larson x jemalloc rep 2 ... ETA 0:41", rewritten in place; when
 * stderr is not a terminal (CI, pipes) nothing but messages is printed. */
#ifndef ALLOCSCOPE_PROGRESS_H
#define ALLOCSCOPE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
    unsigned total, done;
    uint64_t start_ns;
    bool tty;
    bool line_open; /* a progress line is on screen, not yet ended */
};

void progress_start(struct progress *p, unsigned total);
/* Announce the next run. */
void progress_step(struct progress *p, const char *workload, const char *allocator,
                   unsigned rep);
void progress_finish(struct progress *p);
/* A message on its own line (clears the progress line first). */
void progress_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
