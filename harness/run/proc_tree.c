/* proc_tree.c - a process tree sampled through /proc (see proc_tree.h).
 * Parent side: runs in allocscope, never in the measured processes. */
#define _GNU_SOURCE
#include "proc_tree.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

void proc_tree_init(struct proc_tree *t)
{
    memset(t, 0, sizeof *t);
    long ps = sysconf(_SC_PAGESIZE);
    t->page_size = ps > 0 ? (uint64_t)ps : 4096;
}

void proc_tree_add_root(struct proc_tree *t, pid_t pid)
{
    if (t->nroots < PROC_TREE_MAX_ROOTS)
        t->roots[t->nroots++] = pid;
}

void proc_tree_exclude(struct proc_tree *t, pid_t pid)
{
    if (t->nexcluded < PROC_TREE_MAX_ROOTS)
        t->excluded[t->nexcluded++] = pid;
}

static ssize_t pread_all(int fd, char *buf, size_t len)
{
    ssize_t n;
    do
        n = pread(fd, buf, len - 1, 0);
    while (n < 0 && errno == EINTR);
    if (n >= 0)
        buf[n] = '\0';
    return n;
}

static ssize_t read_at(int dir_fd, const char *name, char *buf, size_t len)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = pread_all(fd, buf, len);
    close(fd);
    return n;
}

static struct proc_entry *find(struct proc_tree *t, pid_t pid)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].pid == pid)
            return &t->v[i];
    return NULL;
}

static bool excluded(const struct proc_tree *t, pid_t pid)
{
    for (size_t i = 0; i < t->nexcluded; i++)
        if (t->excluded[i] == pid)
            return true;
    return false;
}

static void close_entry(struct proc_entry *e)
{
    if (e->stat_fd >= 0)
        close(e->stat_fd);
    if (e->statm_fd >= 0)
        close(e->statm_fd);
    if (e->dir_fd >= 0)
        close(e->dir_fd);
    e->stat_fd = e->statm_fd = e->dir_fd = -1;
    e->alive = false;
}

static void add(struct proc_tree *t, pid_t pid)
{
    if (pid <= 0 || find(t, pid) || excluded(t, pid))
        return;
    char path[32];
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    struct proc_entry *e = &t->v[t->n++];
    *e = (struct proc_entry){.pid = pid, .dir_fd = dir, .alive = true, .threads = 1,
                             .stat_fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC),
                             .statm_fd = openat(dir, "statm", O_RDONLY | O_CLOEXEC)};
    t->seen++;
    if (e->stat_fd < 0 || e->statm_fd < 0)
        close_entry(e);
}

static void add_pid_list(struct proc_tree *t, const char *list)
{
    for (const char *p = list; *p;) {
        char *end;
        long child = strtol(p, &end, 10);
        if (end == p)
            break;
        add(t, (pid_t)child);
        p = end;
        while (*p == ' ' || *p == '\n')
            p++;
    }
}

/* Children of every thread of a process: task/TID/children lists what
 * each thread forked. */
static void add_children(struct proc_tree *t, pid_t pid, uint32_t threads, int dir_fd)
{
    char buf[4096], path[64];
    if (threads <= 1) {
        snprintf(path, sizeof path, "task/%d/children", (int)pid);
        if (read_at(dir_fd, path, buf, sizeof buf) > 0)
            add_pid_list(t, buf);
        return;
    }
    int task = openat(dir_fd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = task >= 0 ? fdopendir(task) : NULL;
    if (!d) {
        if (task >= 0)
            close(task);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "task/%.20s/children", de->d_name);
        if (read_at(dir_fd, path, buf, sizeof buf) > 0)
            add_pid_list(t, buf);
    }
    closedir(d);
}

/* Fields of /proc/PID/stat after the command name, numbered as in proc(5)
 * (3 = state). The name may hold spaces and parentheses: start after the
 * last ')'. */
#define STAT_FIELDS 48
static int parse_stat(const char *text, uint64_t field[STAT_FIELDS], char *state)
{
    const char *p = strrchr(text, ')');
    if (!p)
        return -1;
    p++;
    memset(field, 0, STAT_FIELDS * sizeof *field);
    for (int i = 3; i < STAT_FIELDS && *p; i++) {
        while (*p == ' ')
            p++;
        if (i == 3) {
            *state = *p;
        } else {
            char *end;
            field[i] = strtoull(p, &end, 10);
            if (end == p && *p != '-')
                return i > 20 ? 0 : -1;
            p = end;
        }
        while (*p && *p != ' ')
            p++;
    }
    return 0;
}

/* End of the [heap] mapping of a process, 0 when it has none. maps is in
 * address order and [heap] sits right after the executable's segments, so
 * the first few KiB nearly always hold it. */
static uint64_t heap_end(int dir_fd, uint64_t start_brk)
{
    int fd = openat(dir_fd, "maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return 0;
    }
    char line[512];
    uint64_t end = 0;
    while (fgets(line, sizeof line, f)) {
        uint64_t lo, hi;
        if (sscanf(line, "%" SCNx64 "-%" SCNx64, &lo, &hi) != 2)
            continue;
        if (strstr(line, "[heap]")) {
            end = hi;
            break;
        }
        if (lo > start_brk)
            break; /* past where the heap would be: the break never moved */
    }
    fclose(f);
    return end;
}

static uint64_t status_kib(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

size_t proc_tree_sample(struct proc_tree *t, struct tree_reading *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < t->nroots; i++)
        add(t, t->roots[i]);
    /* Orphans re-parented to allocscope (its subreaper) join the tree. */
    char buf[4096], path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)gettid());
    int self = open(path, O_RDONLY | O_CLOEXEC);
    if (self >= 0) {
        if (pread_all(self, buf, sizeof buf) > 0)
            add_pid_list(t, buf);
        close(self);
    }
    size_t live = 0;
    /* t->v may grow while walking: index, never pointers across add(). */
    for (size_t i = 0; i < t->n; i++) {
        if (!t->v[i].alive)
            continue;
        uint64_t f[STAT_FIELDS];
        char state = '?';
        if (pread_all(t->v[i].stat_fd, buf, sizeof buf) <= 0 || parse_stat(buf, f, &state) < 0 ||
            state == 'Z' || state == 'X') {
            close_entry(&t->v[i]);
            continue;
        }
        char mtext[192];
        uint64_t m[3] = {0, 0, 0};
        if (pread_all(t->v[i].statm_fd, mtext, sizeof mtext) > 0)
            sscanf(mtext, "%" SCNu64 " %" SCNu64 " %" SCNu64, &m[0], &m[1], &m[2]);
        /* An exiting process has given its memory back already (statm all
         * zeros) but is not a zombie yet: it is gone for the figures. */
        if (m[1] == 0)
            continue;
        live++;
        out->rss_bytes += m[1] * t->page_size;
        out->anon_bytes += (m[1] > m[2] ? m[1] - m[2] : 0) * t->page_size;
        out->minor_faults += f[10] + f[11];
        out->major_faults += f[12] + f[13];
        t->v[i].threads = (uint32_t)f[20];
        out->threads += (uint32_t)f[20];
        if (t->v[i].pid == t->roots[0]) {
            if (!t->start_brk)
                t->start_brk = f[47];
            uint64_t end = heap_end(t->v[i].dir_fd, t->start_brk);
            out->brk_bytes = end > t->start_brk ? end - t->start_brk : 0;
            if (read_at(t->v[i].dir_fd, "status", buf, sizeof buf) > 0)
                out->hwm_bytes = status_kib(buf, "VmHWM:") * 1024;
        }
        add_children(t, t->v[i].pid, t->v[i].threads, t->v[i].dir_fd);
    }
    out->processes = (uint32_t)live;
    return live;
}

static void add_rollup(const char *text, struct smaps_rollup *out)
{
    out->rss_bytes += status_kib(text, "\nRss:") * 1024;
    out->anonymous_bytes += status_kib(text, "\nAnonymous:") * 1024;
    out->anon_huge_bytes += status_kib(text, "\nAnonHugePages:") * 1024;
}

size_t proc_tree_smaps(struct proc_tree *t, struct smaps_rollup *out)
{
    memset(out, 0, sizeof *out);
    size_t read = 0;
    char buf[4096];
    for (size_t i = 0; i < t->n; i++) {
        if (!t->v[i].alive || read_at(t->v[i].dir_fd, "smaps_rollup", buf, sizeof buf) <= 0)
            continue;
        add_rollup(buf, out);
        read++;
    }
    return read;
}

int proc_faults(pid_t pid, uint64_t *minor, uint64_t *major)
{
    char path[32], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = pread_all(fd, buf, sizeof buf);
    close(fd);
    uint64_t f[STAT_FIELDS];
    char state;
    if (n <= 0 || parse_stat(buf, f, &state) < 0)
        return -1;
    *minor = f[10] + f[11];
    *major = f[12] + f[13];
    return 0;
}

void proc_tree_free(struct proc_tree *t)
{
    for (size_t i = 0; i < t->n; i++)
        close_entry(&t->v[i]);
    free(t->v);
    memset(t, 0, sizeof *t);
}
