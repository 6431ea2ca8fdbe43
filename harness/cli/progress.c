/* progress.c - see progress.h. */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static struct progress *current; /* so messages can clear the line */

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void progress_start(struct progress *p, unsigned total)
{
    p->total = total;
    p->done = 0;
    p->start_ns = monotonic_ns();
    p->tty = isatty(STDERR_FILENO);
    p->line_open = false;
    current = p;
}

void progress_step(struct progress *p, const char *workload, const char *allocator,
                   unsigned rep)
{
    unsigned index = ++p->done;
    if (!p->tty)
        return;
    char eta[32] = "";
    if (index > 1) {
        double elapsed = (double)(monotonic_ns() - p->start_ns) / 1e9;
        double left = elapsed / (index - 1) * (p->total - index + 1);
        snprintf(eta, sizeof eta, " ETA %u:%02u", (unsigned)left / 60, (unsigned)left % 60);
    }
    fprintf(stderr, "\r\033[K[%u/%u] %s \u00d7 %s rep %u \u2026%s", index, p->total, workload,
            allocator, rep, eta);
    p->line_open = true;
    fflush(stderr);
}

void progress_finish(struct progress *p)
{
    if (p->tty && p->line_open)
        fprintf(stderr, "\r\033[K");
    p->line_open = false;
    current = NULL;
}

void progress_message(const char *fmt, ...)
{
    if (current && current->tty && current->line_open) {
        fprintf(stderr, "\r\033[K");
        current->line_open = false;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
