/* opstream.h - generating a workload's op stream (opgen.c) into a memfd
 * that every worker of the workload maps. The layout and its invariants
 * are in opstream_format.h. */
#ifndef ALLOCSCOPE_OPSTREAM_H
#define ALLOCSCOPE_OPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "opstream_format.h"
#include "spec.h"

_Static_assert(OPSTREAM_MAX_PHASES == SPEC_MAX_PHASES + 1, "a stream names every phase and teardown");
_Static_assert(OPSTREAM_MAX_NAME == SPEC_MAX_NAME, "phase names fit");
_Static_assert((int)OP_TOUCH_NONE == (int)TOUCH_NONE && (int)OP_TOUCH_FIRST == (int)TOUCH_FIRST &&
                   (int)OP_TOUCH_PAGES == (int)TOUCH_PAGES && (int)OP_TOUCH_ALL == (int)TOUCH_ALL,
               "op touch modes are the spec's");

/* A generated stream in a sealed-size memfd. */
struct opstream {
    int fd;                        /* memfd, inherited by workers */
    size_t bytes;                  /* mapping length */
    struct opstream_header *header; /* parent's read-only mapping */
};

/* Generate the stream for `w` into a new memfd. Returns 0, or -1 with a
 * message in errbuf (only resource failures: the spec is already valid). */
int opstream_generate(const struct workload_spec *w, struct opstream *out,
                      char *errbuf, size_t errlen);

void opstream_close(struct opstream *s);

/* The hash as 16 lowercase hex digits. */
void opstream_hash_hex(uint64_t hash, char out[17]);

#endif
