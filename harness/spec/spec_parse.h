/* spec_parse.h - the spec loader's internal steps (not for other modules:
 * they use spec.h). One file per concern:
 *   spec_load.c      files, the top-level mapping, suites and includes
 *   spec_workload.c  workload keys and assembling the phases
 *   spec_phase.c     phase keys (ops, mix, live, touch, align, ...)
 *   spec_sizes.c     size values ("128KiB") and size distributions
 *   spec_script.c    explicit op scripts
 *   spec_hash.c      spec_workload_hash
 */
#ifndef ALLOCSCOPE_SPEC_PARSE_H
#define ALLOCSCOPE_SPEC_PARSE_H

#include "spec.h"
#include "yaml_value.h"

/* Largest live-bytes target: 1 TiB. */
#define SPEC_MAX_LIVE_BYTES (1ULL << 40)

/* Phase keys a workload may also set, as defaults for its phases. Each bit
 * records that a key was written (so a phase knows what it overrides). */
enum phase_key {
    PK_OPS = 1u << 0,
    PK_SIZES = 1u << 1,
    PK_MIX = 1u << 2,
    PK_FREE_ORDER = 1u << 3,
    PK_LIVE = 1u << 4,
    PK_TOUCH = 1u << 5,
    PK_ALIGN = 1u << 6,
    PK_REALLOC_FACTOR = 1u << 7,
};

/* The keys above by name, NULL-terminated, in bit order. */
extern const char *const spec_phase_default_keys[];

/* Built-in defaults of every phase field (no table, no script). */
void spec_phase_init(struct phase_spec *p);

/* Read those of the phase-default keys present in `map` into *p, setting
 * their bits in *set. Other keys are left for the caller to check. */
int spec_read_phase_keys(const struct yctx *c, const struct ynode *map, struct phase_spec *p,
                         unsigned *set);

/* Copy the fields named by `keys` from `from` into `to` (deep: the size
 * table is duplicated). Returns 0 or -1 when out of memory. */
int spec_phase_inherit(struct phase_spec *to, const struct phase_spec *from, unsigned keys);

/* A size value: integer or "<integer><B|K|KiB|M|MiB|G|GiB|T|TiB>". */
int spec_read_size(const struct yctx *c, const char *key, const struct ynode *n, uint64_t min,
                   uint64_t max, uint64_t *out);

/* `sizes:` - a bare size or a {dist: ...} mapping. Frees any old table. */
int spec_read_sizes(const struct yctx *c, const struct ynode *n, struct size_dist *out);

/* `script:` - a sequence of op mappings into p->script / script_objects. */
int spec_read_script(const struct yctx *c, const struct ynode *n, struct phase_spec *p);

/* A workload mapping (the value of `workload:`). On error *w may be partly
 * filled; spec_workload_free releases it either way. */
int spec_read_workload(const struct yctx *c, const struct ynode *map, struct workload_spec *w);

/* A workload with `command:` or `service:` (spec_program.c). */
int spec_read_program_workload(const struct yctx *c, const struct ynode *map,
                               struct workload_spec *w);
void spec_program_free(struct program_spec *p);
/* The trace keys of a workload mapping (`trace`, `pace`, `time_scale`):
 * with `trace`, fills w's trace fields and its one PHASE_TRACE phase and
 * rejects the keys a trace decides itself. Returns 0 (also when there is
 * no `trace`: *is_trace says which) or -1. */
int spec_read_trace_workload(const struct yctx *c, const struct ynode *map,
                             struct workload_spec *w, bool *is_trace);

void spec_phase_free(struct phase_spec *p);
void spec_workload_free(struct workload_spec *w);

#endif
