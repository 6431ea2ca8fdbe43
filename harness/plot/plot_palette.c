/* plot_palette.c - allocator order and colours (Okabe-Ito, readable by the
 * colour-blind; see plot_palette.h). */
#include "plot_palette.h"

#include <string.h>

static const struct {
    const char *name;
    const char *colour;
} known[] = {
    {"glibc", "#0072B2"},     /* blue */
    {"jemalloc", "#D55E00"},  /* vermillion */
    {"mimalloc", "#009E73"},  /* bluish green */
    {"reference", "#CC79A7"}, /* reddish purple */
    {"tcmalloc", "#E69F00"},  /* orange */
};

static const char *const extra[] = {"#56B4E9", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF",
                                    "#9467BD"};

int plot_palette_rank(const char *name)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i].name) == 0)
            return (int)i;
    return -1;
}

const char *plot_palette_colour(const char *name, size_t ordinal)
{
    int rank = plot_palette_rank(name);
    if (rank >= 0)
        return known[rank].colour;
    return extra[ordinal % (sizeof extra / sizeof extra[0])];
}
