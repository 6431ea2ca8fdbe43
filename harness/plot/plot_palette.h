/* plot_palette.h - the one colour and position each allocator has in every
 * chart: fixed by name, so glibc is the same blue in every run. */
#ifndef ALLOCSCOPE_PLOT_PALETTE_H
#define ALLOCSCOPE_PLOT_PALETTE_H

#include <stddef.h>

/* Rank of a known allocator (glibc, jemalloc, mimalloc, reference,
 * tcmalloc: 0..4), or -1 for any other name. */
int plot_palette_rank(const char *name);

/* "#rrggbb" for the allocator `name`: known names keep their own colour;
 * others take the extra colours in turn, `ordinal` being how many other
 * unknown names come before it in display order. */
const char *plot_palette_colour(const char *name, size_t ordinal);

/* The live-bytes reference line and other ink that is not an allocator. */
#define PLOT_INK_REFERENCE "#000000"
#define PLOT_INK_MUTED "#777777"

#endif
