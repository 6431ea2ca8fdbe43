/* render_escape.h - escaping for every place a name from a results folder
 * can land when charts and the report are rendered.
 *
 * Workload names, descriptions, allocator names and phase names come from
 * run.json and summary.csv, which a user may have been handed by someone
 * else. Nothing read from them reaches gnuplot, HTML or a file name except
 * through these functions:
 *  - gnuplot: single-quoted strings only (gnuplot performs neither backtick
 *    command substitution nor macro expansion inside them), control
 *    characters turned into spaces (a newline would end the command), and
 *    invalid UTF-8 replaced (the SVG must stay well-formed XML);
 *  - HTML: the five markup characters become entities;
 *  - file names: only [A-Za-z0-9._-], never starting with '.', bounded
 *    length; a name that had to change gets a hash suffix so two different
 *    names never share a file.
 */
#ifndef ALLOCSCOPE_RENDER_ESCAPE_H
#define ALLOCSCOPE_RENDER_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Longest name written into a chart, in bytes; longer ones are cut (at a
 * character boundary) and end in "...". */
#define RENDER_MAX_LABEL 120

/* Write `s` as a gnuplot single-quoted string literal, quotes included. */
void render_gp_string(FILE *f, const char *s);

/* The same, cut at `max` bytes (for tic labels that must stay short). */
void render_gp_string_max(FILE *f, const char *s, size_t max);

/* Write `s` as HTML text or attribute value (no surrounding quotes). */
void render_html(FILE *f, const char *s);

/* A file-name stem for `name` into out (outlen >= RENDER_STEM_MAX): `name`
 * itself when it is already safe, else a sanitised form plus "-" and eight
 * hex digits of a hash of `name`. */
#define RENDER_STEM_MAX 72
void render_file_stem(const char *name, char *out, size_t outlen);

/* True when `name` can be used as one path component to *read* a file
 * inside the run directory: not empty, not "." or "..", no '/'. */
bool render_path_component_ok(const char *name);

#endif
