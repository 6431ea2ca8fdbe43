/* probe_protocol.h - what the verification probe (liballocscope_probe.so,
 * probe.c) tells the parent when a real program runs.
 *
 * The parent preloads the probe beside the allocator and hands it a pipe's
 * write end through an inherited fd named in ALLOCSCOPE_PROBE:
 *
 *   ALLOCSCOPE_PROBE=FD:DEV:INO     (decimal, zero-padded to a fixed width)
 *
 * DEV:INO identify the pipe, so a process that received a different file
 * under that fd number (the program closed it and opened another) never
 * writes into it. Every process of the program's tree that loads the probe
 * (the program and each child that keeps LD_PRELOAD) writes exactly one
 * report, from a constructor, with one write() of less than PIPE_BUF bytes,
 * so reports never interleave. Nothing in the probe runs after its
 * constructor: it is not on the program's malloc path.
 */
#ifndef ALLOCSCOPE_PROBE_PROTOCOL_H
#define ALLOCSCOPE_PROBE_PROTOCOL_H

#include <stdint.h>

#define PROBE_ENV "ALLOCSCOPE_PROBE"
#define PROBE_MAGIC 0x45424f5250534c41ULL /* "ALSPROBE" */
#define PROBE_VERSION 1
#define PROBE_PATH_MAX 240

/* Indices of probe_report.served. */
enum probe_symbol { PROBE_MALLOC, PROBE_FREE, PROBE_CALLOC, PROBE_REALLOC, PROBE_SYMBOLS };

struct probe_report {
    uint64_t magic;
    uint32_t version;
    int32_t pid;
    int32_t ppid;
    uint32_t unresolved; /* bit i: symbol i could not be resolved */
    /* /proc/self/statm and the break, read in the constructor: the state
     * right after exec and dynamic loading, before main(). */
    uint64_t rss_bytes;
    uint64_t anon_bytes;
    uint64_t brk;
    char exe[PROBE_PATH_MAX];
    /* realpath of the object that defines each symbol as the program's own
     * calls bind to it (dlsym(RTLD_DEFAULT) + dladdr). */
    char served[PROBE_SYMBOLS][PROBE_PATH_MAX];
    /* A loaded object other than libc, the dynamic loader and the object
     * serving malloc that defines malloc itself (a DT_NEEDED or dlopen'ed
     * allocator of the program's own); "" when there is none. */
    char other_allocator[PROBE_PATH_MAX];
};

_Static_assert(sizeof(struct probe_report) < 4096, "one atomic pipe write (PIPE_BUF)");

#endif
