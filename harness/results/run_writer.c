/* run_writer.c - the run directory writer (see run_writer.h, docs/results.md). */
#define _GNU_SOURCE
#include "run_writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "summary_file.h"


int results_safe_component(const char *name)
{
    if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 0;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
           strlen(name);
}

static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

void results_note_error(struct results_dir *d, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "allocscope: NOT RECORDED: %s\n", msg);
    if (d->nerrors < RESULTS_MAX_ERRORS)
        snprintf(d->errors[d->nerrors], sizeof d->errors[0], "%s", msg);
    d->nerrors++;
}

/* Room the deepest file of a run directory needs below it:
 * "/samples/" NAME "/" NAME "-" REP ".csv.tmp". */
#define RUN_DIR_SUFFIX_MAX (2 * 64 + 48)

int results_check_out_dir(const char *path, char *err, size_t errlen)
{
    if (!path[0]) {
        snprintf(err, errlen, "the output directory is an empty string (an unset variable?); "
                              "name one with -o DIR");
        return -1;
    }
    if (strlen(path) + RUN_DIR_SUFFIX_MAX >= PATH_MAX) {
        snprintf(err, errlen, "output directory path is too long (%zu bytes; at most %d)",
                 strlen(path), PATH_MAX - RUN_DIR_SUFFIX_MAX - 1);
        return -1;
    }
    for (const char *p = path; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            snprintf(err, errlen, "output directory path contains a control character");
            return -1;
        }
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1);
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a directory", path);
        return -1;
    }
    char probe[PATH_MAX + 16];
    snprintf(probe, sizeof probe, "%s/summary.csv", path);
    if (access(probe, F_OK) == 0) {
        snprintf(err, errlen, "%s already holds a run; choose another -o", path);
        return -1;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct dirent *e;
    const char *other = NULL;
    while (!other && (e = readdir(dir)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            other = e->d_name;
    if (other)
        snprintf(err, errlen, "%s is not empty (it holds '%.80s'); a run directory must be new "
                              "or empty: choose another -o",
                 path, other);
    closedir(dir);
    return other ? -1 : 0;
}

/* Write all of buf to fd or nothing: on a short or failed write the file
 * is cut back to `before` bytes. Returns 0 or -1 with errno. */
static int write_whole(int fd, const char *buf, size_t len, off_t before)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = n < 0 ? errno : ENOSPC;
            (void)!ftruncate(fd, before);
            errno = saved;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

/* Write the file `path` whole or not at all: into path.tmp, synced,
 * renamed over path. */
static int replace_file(const char *path, const char *buf, size_t len)
{
    char tmp[PATH_MAX + 8];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int rc = write_whole(fd, buf, len, 0);
    if (rc == 0 && fsync(fd) != 0)
        rc = -1;
    int saved = errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -1;
        saved = errno;
    }
    if (rc != 0) {
        unlink(tmp);
        errno = saved;
    }
    return rc;
}

/* Keep at least `bytes` preallocated in the reserve file. */
static void reserve_space(struct results_dir *d, size_t bytes)
{
    if (d->reserve_fd < 0 || bytes <= d->reserved)
        return;
    if (posix_fallocate(d->reserve_fd, 0, (off_t)bytes) == 0)
        d->reserved = bytes;
}

static void release_reserve(struct results_dir *d)
{
    if (d->reserve_fd < 0)
        return;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/.run.json.reserve", d->path);
    unlink(path);
    close(d->reserve_fd);
    d->reserve_fd = -1;
    d->reserved = 0;
}

int results_create(struct results_dir *d, const char *path, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->summary_fd = d->reserve_fd = -1;
    if (results_check_out_dir(path, err, errlen) != 0)
        return -1;
    snprintf(d->path, sizeof d->path, "%s", path);
    char samples[PATH_MAX + 16], summary[PATH_MAX + 16], reserve[PATH_MAX + 32];
    snprintf(samples, sizeof samples, "%s/samples", path);
    if (mkdir_p(samples) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", samples, strerror(errno));
        return -1;
    }
    snprintf(reserve, sizeof reserve, "%s/.run.json.reserve", path);
    d->reserve_fd = open(reserve, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    reserve_space(d, 64 * 1024);
    snprintf(summary, sizeof summary, "%s/summary.csv", path);
    d->summary_fd = open(summary, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (d->summary_fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", summary, strerror(errno));
        release_reserve(d);
        return -1;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        abort();
    summary_write_header(mem);
    if (fclose(mem) != 0)
        abort();
    int rc = write_whole(d->summary_fd, text, len, 0);
    if (rc == 0 && fsync(d->summary_fd) != 0)
        rc = -1;
    free(text);
    if (rc != 0) {
        snprintf(err, errlen, "cannot write %s: %s", summary, strerror(errno));
        close(d->summary_fd);
        d->summary_fd = -1;
        release_reserve(d);
        return -1;
    }
    return 0;
}

void results_close(struct results_dir *d)
{
    if (d->summary_fd >= 0)
        close(d->summary_fd);
    d->summary_fd = -1;
    release_reserve(d);
}

/* Cell formatting for the sample files: unsupported values are empty. */
static void cell_u64(FILE *f, uint64_t v)
{
    if (v != METRIC_UNSUPPORTED)
        fprintf(f, "%" PRIu64, v);
    fputc(',', f);
}

static void cell_i64(FILE *f, int64_t v)
{
    fprintf(f, "%" PRId64 ",", v);
}

int results_append_row(struct results_dir *d, const struct results_row *row)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        abort();
    summary_write_row(mem, row);
    if (fclose(mem) != 0)
        abort();
    struct stat st;
    int rc = d->summary_fd < 0 ? (errno = EBADF, -1) : fstat(d->summary_fd, &st);
    if (rc == 0)
        rc = write_whole(d->summary_fd, text, len, st.st_size);
    if (rc == 0 && fsync(d->summary_fd) != 0) {
        int saved = errno; /* the kernel could not keep it: take the row back */
        (void)!ftruncate(d->summary_fd, st.st_size);
        errno = saved;
        rc = -1;
    }
    free(text);
    if (rc != 0)
        results_note_error(d, "%s/summary.csv: row %.64s x %.64s rep %u (%s): %s", d->path,
                           row->workload, row->allocator, row->rep,
                           run_status_name(row->status), strerror(errno));
    return rc;
}


static const char *sample_kind_name(uint32_t kind)
{
    switch (kind) {
    case SAMPLE_BASELINE:
        return "baseline";
    case SAMPLE_PHASE_END:
        return "phase_end";
    case SAMPLE_PEAK:
        return "peak";
    default:
        return "periodic";
    }
}

int results_write_samples(struct results_dir *d, const char *workload, const char *allocator,
                          unsigned rep, const struct result_region *r)
{
    if (!results_safe_component(workload) || !results_safe_component(allocator)) {
        results_note_error(d, "samples of %.64s x %.64s rep %u: unsafe name for a file",
                           workload, allocator, rep);
        return -1;
    }
    char dir[PATH_MAX + 128], path[PATH_MAX + 256];
    snprintf(dir, sizeof dir, "%s/samples/%s", d->path, workload);
    if (mkdir_p(dir) < 0) {
        results_note_error(d, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s-%u.csv", dir, allocator, rep);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        abort();
    fputs("op,t_ns,phase,kind,live_bytes,rss_bytes,heap_bytes,brk_bytes,minor_faults,"
          "major_faults,dtlb_load_misses,dtlb_store_misses,itlb_misses,usable_bytes,"
          "frag_ratio,anon_huge_bytes\n",
          f);
    uint64_t n = r->sample_count < r->sample_capacity ? r->sample_count : r->sample_capacity;
    for (uint64_t i = 0; i < n; i++) {
        const struct sample *s = &r->samples[i];
        fprintf(f, "%" PRIu64 ",%" PRIu64 ",%u,%s,", s->op, s->t_ns, s->phase,
                sample_kind_name(s->kind));
        cell_i64(f, s->live_bytes);
        cell_u64(f, s->rss_bytes);
        cell_i64(f, s->heap_bytes);
        cell_i64(f, s->brk_bytes);
        cell_u64(f, s->minor_faults);
        cell_u64(f, s->major_faults);
        cell_u64(f, s->perf[PERF_DTLB_LOAD_MISSES]);
        cell_u64(f, s->perf[PERF_DTLB_STORE_MISSES]);
        cell_u64(f, s->perf[PERF_ITLB_MISSES]);
        cell_u64(f, s->usable_bytes);
        if (s->live_bytes > 0)
            fprintf(f, "%.4f", (double)s->heap_bytes / (double)s->live_bytes);
        fputc(',', f);
        if (s->anon_huge_bytes != METRIC_UNSUPPORTED)
            fprintf(f, "%" PRIu64, s->anon_huge_bytes);
        fputc('\n', f);
    }
    if (fclose(f) != 0)
        abort();
    int rc = replace_file(path, text, len);
    free(text);
    if (rc != 0)
        results_note_error(d, "%s: %s", path, strerror(errno));
    return rc;
}

int results_write_run_json(struct results_dir *d, json_t *run, bool final)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/run.json", d->path);
    char *text = json_dumps(run, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        abort();
    size_t len = strlen(text);
    if (final)
        release_reserve(d);
    int rc = replace_file(path, text, len);
    free(text);
    if (rc != 0) {
        results_note_error(d, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* Keep room for a final run.json twice this size, with errors added. */
    reserve_space(d, 2 * len + 16 * 1024);
    return 0;
}
