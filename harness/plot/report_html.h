/* report_html.h - OUT/report.html: the run's metadata, a summary table with
 * the best value per workload highlighted, and every chart grouped by
 * workload. One self-contained file: inline CSS, no scripts, no fonts or
 * anything else from the network; it opens from disk. Every name from the
 * results is HTML-escaped (render_escape.h). */
#ifndef ALLOCSCOPE_REPORT_HTML_H
#define ALLOCSCOPE_REPORT_HTML_H

#include <stddef.h>

#include "plot_model.h"
#include "plot_script.h"

int report_html_write(const char *out_dir, const struct plot_run *run,
                      const struct plot_charts *charts, char *err, size_t errlen);

#endif
