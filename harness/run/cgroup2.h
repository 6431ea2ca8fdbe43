/* cgroup2.h - a cgroup v2 of its own for one program run, where the
 * machine lets allocscope make one with the memory controller: then
 * memory.peak is the true peak of the whole process tree (each page
 * counted once, page cache the tree brought in and kernel memory
 * included) and memory.current a cheap per-sample figure.
 *
 * Needs: a cgroup2 mount, the memory controller in allocscope's cgroup's
 * cgroup.controllers, and the right to create a child there and enable
 * +memory in cgroup.subtree_control (root, or a delegated subtree whose
 * cgroup holds no processes). memory.peak needs Linux 5.19. Anything
 * missing: cgroup_run_create fails with the reason and the run falls back
 * to /proc and wait4. */
#ifndef ALLOCSCOPE_CGROUP2_H
#define ALLOCSCOPE_CGROUP2_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cgroup_run {
    char path[PATH_MAX * 3];
    int procs_fd;   /* cgroup.procs, for the child to join (write "0") */
    int current_fd; /* memory.current */
};

/* 0 with a fresh cgroup, or -1 with why it cannot be used. */
int cgroup_run_create(struct cgroup_run *cg, char *why, size_t len);
/* memory.current / memory.peak in bytes; UINT64_MAX when unreadable. */
uint64_t cgroup_run_current(const struct cgroup_run *cg);
uint64_t cgroup_run_peak(const struct cgroup_run *cg);
/* Kill whatever is left in it (cgroup.kill) and remove it. */
void cgroup_run_destroy(struct cgroup_run *cg);

/* Can this machine give runs a cgroup? 1 yes, 0 no (why says). Creates
 * and removes a probe cgroup. */
int cgroup_available(char *why, size_t len);

#endif
