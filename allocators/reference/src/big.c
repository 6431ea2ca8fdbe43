/* big.c - spans (see big.h). */
#include "big.h"

#include <stdatomic.h>
#include <string.h>

#include "central.h"
#include "guard.h"
#include "heap.h"

static size_t chunks_for(size_t size)
{
    return (size + CHUNK_SIZE - 1) / CHUNK_SIZE;
}

void *big_alloc(size_t size, size_t align, bool zero)
{
    if (size == 0)
        size = 1;
    bool zeroed;
    char *p = heap_span_alloc(chunks_for(size), align > CHUNK_SIZE ? align / CHUNK_SIZE : 1, &zeroed);
    if (p && zero && !zeroed)
        memset(p, 0, size);
    central_sweep();
    return p;
}

void big_free(void *p, const char *call)
{
    bool was_free = false;
    if (!heap_span_free(p, &was_free))
        guard_fail(was_free ? GUARD_DOUBLE_FREE : GUARD_INVALID_POINTER, call, p);
    central_sweep();
}

size_t big_usable_size(const void *p, const char *call)
{
    size_t count = heap_span_length(p);
    if (!count)
        guard_fail(GUARD_INVALID_POINTER, call, p);
    return count * CHUNK_SIZE;
}

bool big_resize_in_place(void *p, size_t new_size)
{
    size_t count = heap_span_length(p), new_count = chunks_for(new_size);
    if (!count)
        guard_fail(GUARD_INVALID_POINTER, "realloc", p);
    if (new_count == count)
        return true;
    bool zeroed;
    return heap_span_resize(p, count, new_count, &zeroed);
}
