/* big.c - spans of heap chunks and blocks in their own mappings.
 *
 * Where the user pointer goes (offset from the header):
 *   align <= CHUNK_HEADER_SIZE:             header size (256)
 *   CHUNK_HEADER_SIZE < align <= CHUNK_SIZE: align (the header fits below)
 *   align > CHUNK_SIZE:                      CHUNK_SIZE, with the mapping
 *                                            placed so that base + CHUNK_SIZE
 *                                            is aligned (mapped only)
 * In all cases the pointer is within (header, header + CHUNK_SIZE], as
 * chunk_of() requires, and `length` runs from the header to the block end.
 */
#include "big.h"

#include <stdatomic.h>
#include <string.h>

#include "heap.h"
#include "os.h"

static _Atomic size_t mapped_blocks, mapped_bytes;

static size_t user_offset(size_t align)
{
    if (align <= CHUNK_HEADER_SIZE)
        return CHUNK_HEADER_SIZE;
    return align < CHUNK_SIZE ? align : CHUNK_SIZE;
}

static void *mapped_alloc(size_t size, size_t align)
{
    size_t offset = user_offset(align);
    size_t length = align_up(offset + size, os_page_size());
    struct chunk *h = align <= CHUNK_SIZE ? os_map_aligned(length, CHUNK_SIZE, 0)
                                          : os_map_aligned(length, align, CHUNK_SIZE);
    if (!h)
        return NULL;
    h->kind = CHUNK_MAPPED;
    h->length = length;
    h->from_mmap = true;
    atomic_fetch_add_explicit(&mapped_blocks, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&mapped_bytes, length, memory_order_relaxed);
    return (char *)h + offset; /* a fresh mapping reads as zero */
}

void *big_alloc(size_t size, size_t align, bool zero)
{
    size_t offset = user_offset(align);
    size_t count = (offset + size + CHUNK_SIZE - 1) / CHUNK_SIZE;
    if (align > CHUNK_SIZE || count > SPAN_MAX_CHUNKS)
        return mapped_alloc(size, align);

    bool zeroed, from_mmap;
    struct chunk *h = heap_alloc_chunks(count, &zeroed, &from_mmap);
    if (!h)
        return NULL;
    h->kind = CHUNK_SPAN;
    h->length = count * CHUNK_SIZE;
    h->from_mmap = from_mmap;
    char *p = (char *)h + offset;
    if (zero && !zeroed)
        memset(p, 0, size);
    return p;
}

void big_free(struct chunk *h)
{
    uint32_t kind = h->kind;
    h->kind = 0;
    if (kind == CHUNK_SPAN) {
        heap_release_chunks(h, h->length / CHUNK_SIZE, h->from_mmap);
    } else {
        atomic_fetch_sub_explicit(&mapped_blocks, 1, memory_order_relaxed);
        atomic_fetch_sub_explicit(&mapped_bytes, h->length, memory_order_relaxed);
        os_unmap(h, h->length);
    }
}

size_t big_usable_size(const struct chunk *h, const void *p)
{
    return (size_t)((const char *)h + h->length - (const char *)p);
}

static bool span_resize(struct chunk *h, size_t need)
{
    size_t count = h->length / CHUNK_SIZE;
    size_t new_count = (need + CHUNK_SIZE - 1) / CHUNK_SIZE;
    if (new_count < count) { /* give the tail back */
        heap_release_chunks((char *)h + new_count * CHUNK_SIZE, count - new_count, h->from_mmap);
    } else if (new_count > count) {
        bool zeroed;
        if (new_count > SPAN_MAX_CHUNKS || h->from_mmap ||
            !heap_extend_chunks(h, count, new_count, &zeroed))
            return false;
    }
    h->length = new_count * CHUNK_SIZE;
    return true;
}

static bool mapped_resize(struct chunk *h, size_t need)
{
    size_t new_length = align_up(need, os_page_size());
    if (new_length < h->length) {
        os_unmap((char *)h + new_length, h->length - new_length);
    } else if (new_length > h->length) {
        if (!os_remap_in_place(h, h->length, new_length))
            return false;
    }
    atomic_fetch_add_explicit(&mapped_bytes, new_length - h->length, memory_order_relaxed);
    h->length = new_length;
    return true;
}

bool big_resize_in_place(struct chunk *h, void *p, size_t new_size)
{
    size_t need = (size_t)((char *)p - (char *)h) + new_size;
    return h->kind == CHUNK_SPAN ? span_resize(h, need) : mapped_resize(h, need);
}

struct big_stats big_stats(void)
{
    return (struct big_stats){
        .mapped_blocks = atomic_load_explicit(&mapped_blocks, memory_order_relaxed),
        .mapped_bytes = atomic_load_explicit(&mapped_bytes, memory_order_relaxed),
    };
}
