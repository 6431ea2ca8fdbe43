/* plot_script.c - the frame shared by every chart script (see plot_script.h). */
#include "plot_script.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_palette.h"

/* Fonts: the SVG is viewed at its own size in the report; the PNG gets the
 * same layout at the same pixel size. */
#define SVG_FONT "sans,12"
#define PNG_FONT "sans,10"

FILE *plot_script_open(const char *plots_dir, struct plot_charts *charts, const char *stem, const char *title,
                       int width, int height, long workload, char *err, size_t errlen)
{
    char full[RENDER_STEM_MAX + 32];
    snprintf(full, sizeof full, "%s%s", stem, charts->stem_suffix);
    stem = full;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.gp", plots_dir, stem);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (charts->n == charts->cap) {
        charts->cap = charts->cap ? 2 * charts->cap : 32;
        charts->v = realloc(charts->v, charts->cap * sizeof *charts->v);
        if (!charts->v)
            abort();
    }
    struct plot_chart *c = &charts->v[charts->n++];
    memset(c, 0, sizeof *c);
    snprintf(c->stem, sizeof c->stem, "%s", stem);
    snprintf(c->title, sizeof c->title, "%s%s", title, charts->title_suffix);
    c->width = width;
    c->height = height;
    c->workload = workload;

    /* Only the file-safe stem goes into comments. */
    fprintf(f, "# %s.gp - written by allocscope plot; self-contained: edit and re-render\n"
               "# with `gnuplot %s.gp`. Draws %s.svg and %s.png beside this file.\n"
               "reset session\n"
               "# The folder this script is in, so the images land beside it.\n"
               "dir = ''\n"
               "do for [i = 1:strlen(ARG0)] { if (ARG0[i:i] eq '/') { dir = ARG0[1:i] } }\n"
               "set encoding utf8\n"
               "set datafile missing NaN\n",
            stem, stem, stem, stem);
    return f;
}

void plot_script_draw_begin(FILE *f, const struct plot_run *run, const char *stem, int width,
                            int height)
{
    fprintf(f,
            "# Everything below is drawn twice, same content: SVG for the report,\n"
            "# PNG for pasting into issues. Each pass starts from a clean state.\n"
            "do for [fmt in 'svg png'] {\n"
            "  if (fmt eq 'svg') {\n"
            "    set terminal svg size %d,%d fixed noenhanced font '" SVG_FONT "' background '#ffffff'\n"
            "  } else {\n"
            "    set terminal pngcairo size %d,%d noenhanced font '" PNG_FONT "' background '#ffffff'\n"
            "  }\n"
            "  set output dir.'%s.'.fmt\n"
            "  reset\n"
            "  set border 3 lc rgb '#444444'\n"
            "  set tics nomirror out scale 0.6\n"
            "  set grid ytics lc rgb '#e4e4e4' lw 1 dt solid\n"
            "  set key noautotitle\n"
            "  set style textbox opaque noborder\n"
            "  # One line style per allocator, fixed by name across every chart.\n",
            width, height, width, height, stem);
    for (size_t a = 0; a < run->nalloc; a++) {
        char safe[RENDER_STEM_MAX];
        render_file_stem(run->alloc[a].name, safe, sizeof safe);
        fprintf(f, "  set style line %zu lc rgb '%s' lw 2 pt 7 ps 0.6  # %s\n", a + 1,
                run->alloc[a].colour, safe);
    }
    fprintf(f, "  set style line 100 lc rgb '%s' lw 1.5 dt 2  # live bytes, references\n"
               "  set style line 101 lc rgb '%s' lw 1 dt 3  # phase boundaries\n",
            PLOT_INK_REFERENCE, PLOT_INK_MUTED);
}

void plot_script_draw_end(FILE *f)
{
    fputs("  unset output\n}\n", f);
}

int plot_script_close(FILE *f, const char *stem, char *err, size_t errlen)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        snprintf(err, errlen, "%s.gp: write failed", stem);
        return -1;
    }
    return 0;
}

void plot_datablock_begin(FILE *f, const char *name)
{
    fprintf(f, "$%s << EOD\n", name);
}

void plot_datablock_end(FILE *f)
{
    fputs("EOD\n", f);
}

void plot_datum(FILE *f, double v, bool have, bool last)
{
    if (have && isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("NaN", f);
    fputc(last ? '\n' : ' ', f);
}

void plot_title(FILE *f, const char *main, const char *sub)
{
    fputs("  set title ", f);
    render_gp_string(f, main);
    fputs(" font ',13' offset 0, 1.1\n", f);
    if (sub && *sub) {
        fputs("  set label 99 ", f);
        render_gp_string(f, sub);
        fputs(" at graph 0.5, graph 1 offset 0, 1.1 center font ',10' tc rgb '" PLOT_INK_MUTED "'\n", f);
    }
}

void plot_message_panel(FILE *f, const char *what, const char *why)
{
    fputs("  unset xtics; unset ytics; unset x2tics; unset y2tics; unset grid\n"
          "  unset border; unset logscale; unset xlabel; unset ylabel; unset arrow; unset label\n"
          "  set xrange [0:1]; set yrange [0:1]\n"
          "  set label 90 ",
          f);
    render_gp_string(f, what);
    fputs(" at graph 0.5, 0.58 center font ',12'\n  set label 91 ", f);
    render_gp_string(f, why);
    fputs(" at graph 0.5, 0.42 center tc rgb '" PLOT_INK_MUTED "'\n"
          "  plot 2 notitle\n"
          "  unset label 90; unset label 91\n",
          f);
}

void plot_charts_free(struct plot_charts *charts)
{
    for (size_t i = 0; i < charts->n; i++)
        free(charts->v[i].error);
    free(charts->v);
    memset(charts, 0, sizeof *charts);
}
