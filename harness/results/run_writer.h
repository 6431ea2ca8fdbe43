/* run_writer.h - writing a run directory as docs/results.md specifies:
 * summary.csv, samples/<workload>/<allocator>-<rep>.csv and run.json.
 *
 * Nothing written is left half-written or silently lost:
 *  - a summary row is formatted in memory and written with one write() on
 *    an O_APPEND descriptor, then synced; a short or failed write is cut
 *    back off (ftruncate to the size before), so the file only ever holds
 *    whole rows;
 *  - a samples file and run.json are written to a temporary name, synced
 *    and renamed into place: whole or absent;
 *  - space for the last run.json is reserved when the directory is made
 *    (a preallocated file, released just before the final write), so a
 *    run that fills the disk can still say so in run.json;
 *  - every failure is counted and the first RESULTS_MAX_ERRORS are kept
 *    (results_dir.errors) for run.json and the exit status. */
#ifndef ALLOCSCOPE_RUN_WRITER_H
#define ALLOCSCOPE_RUN_WRITER_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "figures.h"
#include "runner.h"
#include "summary_row.h"

#define RESULTS_MAX_ERRORS 20

struct results_dir {
    char path[PATH_MAX];
    int summary_fd;  /* O_APPEND */
    int reserve_fd;  /* the space kept for the final run.json; -1 once released */
    size_t reserved; /* bytes held by reserve_fd */
    size_t nerrors;  /* writes that failed */
    char errors[RESULTS_MAX_ERRORS][384];
};

/* Whether PATH may become a run directory; checked before anything runs.
 * Refused: an empty path (an unset variable in a script), a path too long
 * for the files inside it, control characters, an existing file that is
 * not a directory, and an existing directory that is not empty (the
 * filesystem root, the current directory, an earlier run). */
int results_check_out_dir(const char *path, char *err, size_t errlen);

/* Create DIR (and parents) with samples/; write summary.csv's header. */
int results_create(struct results_dir *d, const char *path, char *err, size_t errlen);
void results_close(struct results_dir *d);

/* Append one whole row to summary.csv, or nothing (-1, error recorded). */
int results_append_row(struct results_dir *d, const struct results_row *row);

/* samples/<workload>/<allocator>-<rep>.csv from the region's samples;
 * -1 with the error recorded. */
int results_write_samples(struct results_dir *d, const char *workload, const char *allocator,
                          unsigned rep, const struct result_region *r);

/* Replace run.json atomically. `final`: release the reserved space first
 * (the last write of the run). -1 with the error recorded. */
int results_write_run_json(struct results_dir *d, json_t *run, bool final);

/* Record a failure of a write (also printed to stderr). */
void results_note_error(struct results_dir *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A name is safe as one path component: [A-Za-z0-9._-]+, not "." or "..". */
int results_safe_component(const char *name);

#endif
