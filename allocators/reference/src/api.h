/* api.h - the exported interface, under its real names or, for the
 * ThreadSanitizer build of the allocator's units, under a prefix
 * (-DREF_API_PREFIX=ref_ gives ref_malloc, ref_free, ...), so that the
 * sanitizer's own malloc stays in place while ours is tested. */
#ifndef REF_API_H
#define REF_API_H

#include <malloc.h>
#include <stddef.h>
#include <stdio.h>

#ifdef REF_API_PREFIX
#define REF_PASTE2(a, b) a##b
#define REF_PASTE(a, b) REF_PASTE2(a, b)
#define REF_NAME(name) REF_PASTE(REF_API_PREFIX, name)
#else
#define REF_NAME(name) name
#endif

#define EXPORT __attribute__((visibility("default")))

void *REF_NAME(malloc)(size_t size);
void REF_NAME(free)(void *p);
void REF_NAME(cfree)(void *p);
void *REF_NAME(calloc)(size_t n, size_t size);
void *REF_NAME(realloc)(void *p, size_t size);
void *REF_NAME(reallocarray)(void *p, size_t n, size_t size);
int REF_NAME(posix_memalign)(void **memptr, size_t align, size_t size);
void *REF_NAME(aligned_alloc)(size_t align, size_t size);
void *REF_NAME(memalign)(size_t align, size_t size);
void *REF_NAME(valloc)(size_t size);
void *REF_NAME(pvalloc)(size_t size);
size_t REF_NAME(malloc_usable_size)(void *p);
int REF_NAME(mallopt)(int param, int value);
int REF_NAME(malloc_trim)(size_t pad);
struct mallinfo REF_NAME(mallinfo)(void);
struct mallinfo2 REF_NAME(mallinfo2)(void);
void REF_NAME(malloc_stats)(void);
int REF_NAME(malloc_info)(int options, FILE *fp);

/* Lets a harness (or a test) confirm that this library serves malloc. */
const char *allocscope_reference_version(void);
/* Assertions evaluated so far: nonzero only in the debug build. */
unsigned long allocscope_reference_debug_checks(void);

#endif
