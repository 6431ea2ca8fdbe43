/* proc_tree.h - sampling a process tree from outside, through /proc.
 *
 * The tree is the measured roots (the program, or a service's server) and
 * every descendant found through /proc/PID/task/TID/children, plus orphans
 * the kernel handed to allocscope as their subreaper (a daemonizing child
 * stays measured). Excluded pids (a service's load driver) and their
 * descendants are never part of it.
 *
 * Each process found gets kept fds on /proc/PID/stat and statm (pread at
 * offset 0 regenerates the text: one system call per file and sample), so
 * a reused pid can never be mistaken for the process: a kept fd of a
 * process that is gone reads ESRCH.
 *
 * Figures of a reading (tree_reading):
 *  - rss_bytes, anon_bytes: sums over the live processes of statm resident
 *    and resident - shared. Pages shared by several processes (copy-on-write
 *    after fork, shared libraries) count once per process, as in ps/top;
 *    a cgroup counts each page once.
 *  - minor_faults, major_faults: sum over live processes of their own and
 *    their reaped children's faults (stat fields 10-13), so a child's faults
 *    stay counted after it exits and its parent reaps it.
 *  - brk_bytes: the first root's [heap] mapping end - start_brk (stat field
 *    47): how far the break moved since exec, to the page.
 *  - hwm_bytes: the first root's VmHWM (kernel high-water mark of its RSS).
 */
#ifndef ALLOCSCOPE_PROC_TREE_H
#define ALLOCSCOPE_PROC_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "samplers.h" /* struct smaps_rollup */

#define PROC_TREE_MAX_ROOTS 4

struct proc_entry {
    pid_t pid;
    int dir_fd, stat_fd, statm_fd; /* -1 once the process is gone */
    uint32_t threads;
    bool alive;
};

struct proc_tree {
    pid_t roots[PROC_TREE_MAX_ROOTS];
    size_t nroots;
    pid_t excluded[PROC_TREE_MAX_ROOTS];
    size_t nexcluded;
    struct proc_entry *v;
    size_t n, cap;
    size_t seen; /* processes ever part of the tree */
    uint64_t page_size;
    uint64_t start_brk; /* of roots[0], 0 until read */
};

struct tree_reading {
    uint64_t rss_bytes;
    uint64_t anon_bytes;
    uint64_t minor_faults, major_faults;
    uint64_t brk_bytes;
    uint64_t hwm_bytes; /* 0 when roots[0] is gone */
    uint32_t processes, threads;
};

void proc_tree_init(struct proc_tree *t);
void proc_tree_add_root(struct proc_tree *t, pid_t pid);
void proc_tree_exclude(struct proc_tree *t, pid_t pid);

/* Find new processes, read every live one. Returns the number of live
 * processes (0: the whole tree is gone). */
size_t proc_tree_sample(struct proc_tree *t, struct tree_reading *out);

/* smaps_rollup of every live process, summed (about 1 ms per process of a
 * few hundred MiB: call rarely). Returns the number of processes read. */
size_t proc_tree_smaps(struct proc_tree *t, struct smaps_rollup *out);

/* Faults of one process (own + reaped children) from /proc/PID/stat; used
 * for the figure right before exec. Returns 0 or -1. */
int proc_faults(pid_t pid, uint64_t *minor, uint64_t *major);

void proc_tree_free(struct proc_tree *t);

#endif
