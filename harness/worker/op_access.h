/* op_access.h - what an OP_ACCESS does to the object it visits: read its
 * first `bytes` bytes as 8-byte words (the tail byte by byte) and sum them,
 * or with OP_ACCESS_WRITE also add one to each word. The sum goes to the
 * caller, which keeps it, so the compiler cannot drop the loads. Unaligned
 * words are read through memcpy: an object's size need not be a multiple
 * of 8. */
#ifndef ALLOCSCOPE_OP_ACCESS_H
#define ALLOCSCOPE_OP_ACCESS_H

#include <stdint.h>
#include <string.h>

#include "opstream_format.h"

static inline uint64_t op_access(void *object, uint64_t bytes, unsigned mode)
{
    unsigned char *p = object;
    uint64_t sum = 0, i = 0, w;
    if (mode == OP_ACCESS_WRITE) {
        for (; i + 8 <= bytes; i += 8) {
            memcpy(&w, p + i, 8);
            sum += w++;
            memcpy(p + i, &w, 8);
        }
        for (; i < bytes; i++)
            sum += p[i]++;
        return sum;
    }
    for (; i + 8 <= bytes; i += 8) {
        memcpy(&w, p + i, 8);
        sum += w;
    }
    for (; i < bytes; i++)
        sum += p[i];
    return sum;
}

#endif
