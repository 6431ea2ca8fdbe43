/* plot_script.h - the frame every chart script shares.
 *
 * A chart is one self-contained gnuplot script, PLOTS/<stem>.gp: its data
 * inline as datablocks, its style inline, and a loop that draws the same
 * content twice, to <stem>.svg (for the report) and <stem>.png (pngcairo,
 * for pasting into issues). Outputs go beside the script wherever it is run
 * from (the script finds its own folder from ARG0), so a user can edit it
 * and re-render with plain `gnuplot PLOTS/<stem>.gp`.
 *
 * Layout of a script:
 *   plot_script_open()         header comment, where am I, encoding
 *   datablocks                 <- chart code
 *   plot_script_draw_begin()   do for [fmt in 'svg png'] { terminal; output;
 *                              reset; common style; one line style per allocator
 *   settings, plot/multiplot   <- chart code
 *   plot_script_draw_end()     unset output }
 */
#ifndef ALLOCSCOPE_PLOT_SCRIPT_H
#define ALLOCSCOPE_PLOT_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "plot_model.h"

/* One chart of the run, as the report lists it. */
struct plot_chart {
    char stem[RENDER_STEM_MAX + 32]; /* file name without extension */
    char title[160];                 /* plain text, for alt and captions */
    int width, height;               /* pixels, SVG and PNG alike */
    long workload;                   /* index into run->wl, or -1 for the suite */
    char *error;                     /* why gnuplot could not draw it; NULL = drawn */
};

/* The list of charts written so far. While a large suite is drawn page by
 * page, every chart opened gets the page's stem and title suffixes
 * (".p2", " (workloads 41-80 of 600)"); they are "" otherwise. */
struct plot_charts {
    struct plot_chart *v;
    size_t n, cap;
    char stem_suffix[16];
    char title_suffix[64];
};

/* Open PLOTS/<stem><stem_suffix>.gp and write the header and styles;
 * registers the chart in `charts` (its final stem and title, suffixes
 * included, are charts->v[charts->n - 1]: use that stem for the images).
 * Returns the stream, or NULL with a message. */
FILE *plot_script_open(const char *plots_dir, struct plot_charts *charts, const char *stem, const char *title,
                       int width, int height, long workload, char *err, size_t errlen);

/* Begin and end the loop that draws to both formats. Begin resets every
 * setting and writes the common style and the allocators' line styles
 * (style N+1 = allocator N, 100 = reference ink, 101 = phase lines):
 * settings of the chart follow it, inside the loop. */
void plot_script_draw_begin(FILE *f, const struct plot_run *run, const char *stem, int width,
                            int height);
void plot_script_draw_end(FILE *f);

/* Close the script; -1 with a message when writing it failed. */
int plot_script_close(FILE *f, const char *stem, char *err, size_t errlen);

/* Begin a datablock named `$name`; end it with plot_datablock_end(). */
void plot_datablock_begin(FILE *f, const char *name);
void plot_datablock_end(FILE *f);

/* A number for a datablock: NaN (gnuplot's undefined) when !have. */
void plot_datum(FILE *f, double v, bool have, bool last);

/* The title, and an optional explanation in a smaller, muted line under
 * it (label 99; needs `set tmargin` of about 5 lines). */
void plot_title(FILE *f, const char *main, const char *sub);

/* A chart (or panel) that says in words why it has nothing to show:
 * "`what`: `why`" centred, no axes. Writes a complete `plot` command. */
void plot_message_panel(FILE *f, const char *what, const char *why);

void plot_charts_free(struct plot_charts *charts);

#endif
