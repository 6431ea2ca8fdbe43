/* spec.h - the resolved, validated form of a workload or suite YAML file.
 *
 * The loader (spec_load.c) turns YAML into these structures and checks every
 * value; everything downstream (op stream generator, runner) may assume the
 * invariants written next to each field. The spec lives only in the parent
 * process: the measured child never sees it, it receives the generated op
 * stream instead.
 */
#ifndef ALLOCSCOPE_SPEC_H
#define ALLOCSCOPE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a value came from, for messages of the form FILE:LINE:COL: ... */
struct source_pos {
    const char *file; /* points into the owning suite's file table */
    unsigned line;    /* 1-based */
    unsigned col;     /* 1-based */
};

/* Largest object a workload may request; keeps size arithmetic far from
 * overflow (1 GiB x factor 16 realloc stays < 2^63). */
#define SPEC_MAX_OBJECT_SIZE (1ULL << 30)
#define SPEC_MAX_OPS (1ULL << 32)      /* per phase */
/* Live objects at once: the op stream numbers its slots with 32 bits. */
#define SPEC_MAX_LIVE_OBJECTS (1ULL << 31)
#define SPEC_MAX_THREADS 256
#define SPEC_MAX_PHASES 64
#define SPEC_MAX_TABLE_ENTRIES 4096
#define SPEC_MAX_SCRIPT_OPS 100000
#define SPEC_MAX_NAME 64 /* workload / phase / allocator names, bytes */
#define SPEC_MAX_TIMEOUT_S (7.0 * 24 * 3600) /* timeout: above 0, at most a week */
#define SPEC_MAX_REPS 1000
#define SPEC_MAX_ACCESS_PASSES 1000
/* memory_limit: the worker's address space; below 16 MiB it cannot start. */
#define SPEC_MIN_MEMORY_LIMIT (16ULL << 20)
#define SPEC_MAX_MEMORY_LIMIT (1ULL << 50)

enum size_dist_kind {
    SIZE_FIXED,     /* always `fixed` */
    SIZE_UNIFORM,   /* integer uniform in [lo, hi] */
    SIZE_LOGNORMAL, /* exp(N(ln median, sigma^2)) rounded */
    SIZE_PARETO,    /* scale * U^(-1/alpha): heavy tail, minimum `scale` */
    SIZE_TABLE,     /* weighted choice among table entries */
};

struct size_table_entry {
    uint64_t size;  /* 1..SPEC_MAX_OBJECT_SIZE */
    double weight;  /* > 0 */
};

/* Invariant after loading: 1 <= clamp_min <= clamp_max <= SPEC_MAX_OBJECT_SIZE;
 * every drawn size is clamped into [clamp_min, clamp_max]. */
struct size_dist {
    enum size_dist_kind kind;
    uint64_t fixed;            /* SIZE_FIXED */
    uint64_t lo, hi;           /* SIZE_UNIFORM, lo <= hi */
    double median, sigma;      /* SIZE_LOGNORMAL, median > 0, sigma >= 0 */
    double alpha;              /* SIZE_PARETO, alpha > 0 */
    uint64_t scale;            /* SIZE_PARETO, >= 1 */
    struct size_table_entry *table; /* SIZE_TABLE, table_len >= 1 */
    size_t table_len;
    uint64_t clamp_min, clamp_max;
};

enum free_order {
    FREE_RANDOM, /* a uniformly random live object */
    FREE_FIFO,   /* the oldest live object */
    FREE_LIFO,   /* the youngest live object */
    FREE_NEVER,  /* the phase never frees (teardown still does) */
};

/* How much of each new object the worker writes to. Demand paging makes
 * this decide resident memory. */
enum touch_mode {
    TOUCH_NONE,  /* never written */
    TOUCH_FIRST, /* first byte */
    TOUCH_PAGES, /* one byte in every page the object spans */
    TOUCH_ALL,   /* the whole object (memset) */
};

/* Indices into phase_spec.mix. */
enum mix_op {
    MIX_MALLOC,
    MIX_CALLOC,
    MIX_REALLOC,
    MIX_POSIX_MEMALIGN,
    MIX_ALIGNED_ALLOC,
    MIX_FREE,
    MIX_COUNT
};

enum script_op_kind {
    SCRIPT_MALLOC,
    SCRIPT_CALLOC,
    SCRIPT_REALLOC,
    SCRIPT_POSIX_MEMALIGN,
    SCRIPT_ALIGNED_ALLOC,
    SCRIPT_FREE,
};

/* One step of an explicit op script. Objects are named in YAML; the loader
 * numbers the names (object = 0..script_objects-1) and checks that a free or
 * realloc names a live object and an allocation names a dead or new one. */
struct script_op {
    enum script_op_kind kind;
    uint32_t object;
    uint64_t size;  /* allocations and realloc; 0 allowed (malloc(0)) */
    uint64_t align; /* posix_memalign / aligned_alloc: power of two */
    struct source_pos pos;
};

enum phase_kind {
    PHASE_CHURN,  /* `ops` operations drawn from mix/sizes/free order */
    PHASE_FREE,   /* free `free_fraction` of the live objects */
    PHASE_SCRIPT, /* the explicit script, run by thread 0 */
    PHASE_TRACE,  /* the recorded trace of a trace workload (touch only) */
    PHASE_ACCESS, /* walk the live objects (no allocator call) */
    PHASE_FORK,   /* fork a child that keeps the heap mapped (no ops) */
};

/* The order in which an access phase visits each thread's live objects.
 * Every order is decided by the generator, never by addresses, so it is
 * the same for every allocator. */
enum access_pattern {
    ACCESS_RANDOM,           /* a fresh seeded permutation every pass */
    ACCESS_SEQUENTIAL,       /* pointer-table order (ascending slot): an
                                array of pointers walked front to back */
    ACCESS_ALLOCATION_ORDER, /* oldest object first */
};

/* What the child of a fork phase does until the run ends. */
enum fork_child {
    FORK_IDLE, /* sleeps */
    FORK_READ, /* reads the live objects again and again (a snapshot) */
};

/* A phase. Workload-level keys give defaults that each phase may override;
 * the loader resolves them, so every field here is final. */
struct phase_spec {
    char *name; /* unique within the workload */
    enum phase_kind kind;
    struct source_pos pos;

    /* PHASE_CHURN */
    uint64_t ops;          /* 1..SPEC_MAX_OPS, all threads together */
    struct size_dist sizes;
    double mix[MIX_COUNT]; /* weights >= 0, allocating weights sum > 0 */
    enum free_order free_order;
    /* Target live set: while below it the phase only allocates (mix without
     * free); at or above it, each op frees one object. 0 = no target, the
     * mix (free included) decides. At most one of the two is nonzero. */
    uint64_t live_objects;
    uint64_t live_bytes;
    enum touch_mode touch;
    uint64_t align;        /* alignment for the aligned ops, power of two >= 8 */
    double realloc_min;    /* realloc new size = old x U[min, max] */
    double realloc_max;    /* 0 < min <= max <= 16 */

    /* PHASE_FREE */
    double free_fraction;  /* (0, 1] */

    /* PHASE_ACCESS: `passes` walks over every live object, each reading
     * (and with `write`, rewriting) its first min(bytes_per_object, size)
     * bytes. */
    enum access_pattern access_pattern;
    uint64_t access_passes;   /* 1..SPEC_MAX_ACCESS_PASSES */
    uint64_t access_bytes;    /* 1..SPEC_MAX_OBJECT_SIZE */
    bool access_write;

    /* PHASE_FORK */
    enum fork_child fork_child;

    /* PHASE_SCRIPT */
    struct script_op *script;
    size_t script_len;
    uint32_t script_objects;
};

/* How a trace workload paces its replay. */
enum trace_pace {
    PACE_ASAP,     /* every op as soon as the one before it (default) */
    PACE_RECORDED, /* each thread waits out its recorded gaps, x time_scale */
};

enum thread_pattern {
    THREADS_SYMMETRIC,         /* every thread allocates and frees; a
                                  fraction of frees go to another thread */
    THREADS_PRODUCER_CONSUMER, /* first half allocate, second half free */
};

/* ---- real programs and services (spec_program.c) --------------------- */

/* A command line to run. argv[0] is passed as written; `path` is the
 * executable it resolved to when the file was loaded (an absolute path: a
 * name without '/' is looked up in PATH, else relative to cwd). Arguments
 * may hold the placeholders {tmp}, {port} and {dir} (program_env.c fills
 * them in per run); `{{` and `}}` are literal braces, and so is any brace
 * that does not enclose a name (spec_placeholder_len). */
size_t spec_placeholder_len(const char *after_brace);

struct program_command {
    char **argv; /* argc entries, then NULL */
    size_t argc;
    char *path;
    struct source_pos pos;
};

enum ready_kind {
    READY_NONE,        /* the load starts right after the server */
    READY_UNIX_SOCKET, /* a connect() to the socket path succeeds */
    READY_TCP,         /* a connect() to 127.0.0.1:PORT succeeds */
    READY_DELAY,       /* a fixed wait */
};

/* Invariants after loading: cwd is an absolute, existing directory;
 * stdin_path is NULL or an absolute readable file; env entries are
 * "NAME=VALUE" with NAME never LD_PRELOAD or ALLOCSCOPE_PROBE;
 * sample_interval_s is 0 (no sampling) or in [0.001, 60]. */
struct program_spec {
    bool service;                   /* command = the server, load = the driver */
    struct program_command command;
    struct program_command load;    /* service only */
    struct program_command setup;   /* argc 0 = none: run before each run,
                                       without the allocator, not measured */
    char *cwd;
    char *dir;                      /* the YAML file's folder, for {dir} */
    char **env;
    size_t env_count;
    char *stdin_path;
    int expect_exit;                /* 0..255, the program's (service: the load's) */
    bool same_output;               /* stdout must be identical in every run */
    double sample_interval_s;
    enum ready_kind ready;
    char *ready_target;             /* socket path (placeholders allowed) */
    unsigned ready_port;            /* READY_TCP; 0 = the {port} placeholder */
    double ready_delay_s;           /* READY_DELAY */
    double ready_timeout_s;
    double stop_timeout_s;          /* SIGTERM to SIGKILL for the server */
};

#define PROGRAM_DEFAULT_INTERVAL_S 0.010

struct workload_spec {
    char *name;        /* [A-Za-z0-9._-]+, unique within the suite */
    char *description; /* may be NULL */
    struct source_pos pos;
    uint64_t seed;
    uint32_t threads;            /* 1..SPEC_MAX_THREADS */
    enum thread_pattern pattern; /* producer_consumer needs threads >= 2 */
    double cross_thread_free;    /* [0, 1], fraction of frees done by
                                    another thread (symmetric pattern) */
    uint64_t sample_every;       /* ops between samples, >= 1; 0 = auto */
    double timeout_s;            /* per run, > 0 */
    uint64_t memory_limit;       /* bytes of address space per run, 0 = none */
    bool teardown;               /* free everything left at the end
                                    (default true): gives "final heap" */
    bool lock_all;               /* `lock: all`: mlockall(CURRENT|FUTURE)
                                    in the worker before the baseline */
    bool thp_never;              /* `thp: never`: PR_SET_THP_DISABLE in the
                                    worker (default: the system's mode) */
    struct phase_spec *phases;
    size_t phase_count;          /* 1..SPEC_MAX_PHASES; 0 for programs */
    struct program_spec *program; /* a real program or service; NULL for a
                                     synthetic workload (then phases) */

    /* A trace workload (`trace: FILE`, docs/workloads.md): the recorded
     * trace decides the ops and the threads (threads stays 0 here: the
     * trace's facts give it); one phase of kind PHASE_TRACE, named
     * "trace", carries `touch`. NULL for every other workload. */
    char *trace_path;    /* relative paths resolved against the YAML file */
    enum trace_pace pace;
    double time_scale;   /* PACE_RECORDED: gaps x this, > 0 */
};

struct suite_spec {
    char *name;
    struct source_pos pos;
    char **allocators;    /* names from the registry; NULL if not given */
    size_t allocator_count;
    unsigned reps;        /* 0 = not given (command line / default decides) */
    struct workload_spec *workloads;
    size_t workload_count;
    /* Every file read while loading (the suite and its includes); source_pos
     * .file points at these strings. */
    char **files;
    size_t file_count;
};

/* A load failure. `message` is the full "FILE:LINE:COL: text" line. */
struct spec_error {
    char message[1024];
};

/* Load a workload file or a suite file. On success returns 0 and fills *out
 * (release with spec_free). On failure returns -1, fills *err and leaves *out
 * empty. A workload file loads as a suite of one workload, with no
 * allocators and reps 0. */
int spec_load_file(const char *path, struct suite_spec *out,
                   struct spec_error *err);

/* Same, from a string in memory; `display_name` is used in messages and as
 * the base for relative includes. */
int spec_load_string(const char *yaml, size_t len, const char *display_name,
                     struct suite_spec *out, struct spec_error *err);

void spec_free(struct suite_spec *suite);

/* --quick: multiply every churn phase's op count and live target by
 * `factor` (0 < factor <= 1), keeping at least 1 op. Scripts are unchanged. */
void spec_apply_quick(struct suite_spec *suite, double factor);

/* A one-off program workload for `allocscope exec`: argv as given, the
 * current directory, no expectations but the exit status 0. Returns 0, or
 * -1 with a message (no FILE:LINE:COL: the command line is the source). */
int spec_program_from_argv(const char *name, char **argv, size_t argc, double timeout_s,
                           double interval_s, struct suite_spec *out, struct spec_error *err);
/* Command-line values read by exactly the rules of the YAML keys of the
 * same name, so the command line accepts what a file accepts and nothing
 * more. Each returns 0, or -1 with a message ("'timeout' must be above 0
 * and at most 604800, got inf") in err. */
int spec_parse_timeout(const char *text, double *out, char *err, size_t errlen);
int spec_parse_reps(const char *text, unsigned *out, char *err, size_t errlen);
int spec_parse_memory_limit(const char *text, uint64_t *out, char *err, size_t errlen);
/* An allocator name as a suite's `allocators:` list takes it. */
int spec_parse_allocator_name(const char *text, char *err, size_t errlen);

/* A lower bound of the live bytes the workload holds at its peak: the
 * largest `live: {bytes}` target, or `live: {objects}` times the smallest
 * size the phase can draw. 0 when no phase sets a target. */
uint64_t spec_workload_live_floor(const struct workload_spec *w);

/* Stable 64-bit hash of a resolved workload (every field that shapes the op
 * stream), recorded in run.json so runs of different specs are not compared. */
uint64_t spec_workload_hash(const struct workload_spec *w);

#endif
