/* trace_input.h - the decoded bytes of a trace file, a window at a time:
 * zstd streaming decompression from a FILE, the decoded offset of every
 * byte (error messages name it), the file's hash, and the difference
 * between a stream that was cut short (a killed program: not an error,
 * readers stop at the last complete event) and one that is corrupt. */
#ifndef ALLOCSCOPE_TRACE_INPUT_H
#define ALLOCSCOPE_TRACE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct trace_input;

struct trace_input *trace_input_new(FILE *f);
void trace_input_free(struct trace_input *in);

/* Make `n` decoded bytes available from the current position. Returns 1,
 * 0 when the stream ends first (fewer are available: see avail), or -1 on
 * corrupt compressed data (trace_input_error says what). */
int trace_input_need(struct trace_input *in, size_t n);
size_t trace_input_avail(const struct trace_input *in);
const uint8_t *trace_input_peek(const struct trace_input *in);
void trace_input_skip(struct trace_input *in, size_t n);
/* Decoded offset of the current position. */
uint64_t trace_input_offset(const struct trace_input *in);
/* After the stream ended: it ended inside a zstd frame (the file was cut). */
bool trace_input_cut(const struct trace_input *in);
const char *trace_input_error(const struct trace_input *in);
/* The error is that the file does not start with a zstd frame. */
bool trace_input_not_zstd(const struct trace_input *in);
/* FNV-1a-64 of the file's bytes read so far (all of them once it ended),
 * and their number. */
uint64_t trace_input_hash(const struct trace_input *in);
uint64_t trace_input_file_bytes(const struct trace_input *in);

#endif
