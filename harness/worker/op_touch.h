/* op_touch.h - writing to a new object as its op's touch mode says. Demand
 * paging makes this decide resident memory. Shared by the measured loop
 * and the bare replay benchmark, so both do the same work per op. */
#ifndef ALLOCSCOPE_OP_TOUCH_H
#define ALLOCSCOPE_OP_TOUCH_H

#include <stdint.h>
#include <string.h>

#include "opstream_format.h"

/* p may be NULL only when size is 0 (a failed allocation never gets here). */
static inline void op_touch(char *p, uint64_t size, unsigned mode)
{
    switch (mode) {
    case OP_TOUCH_NONE:
        return;
    case OP_TOUCH_FIRST:
        if (size)
            *(volatile char *)p = 1;
        return;
    case OP_TOUCH_PAGES: {
        if (!size)
            return;
        *(volatile char *)p = 1;
        uintptr_t end = (uintptr_t)p + size;
        for (uintptr_t a = ((uintptr_t)p | 4095) + 1; a < end; a += 4096)
            *(volatile char *)a = 1;
        return;
    }
    case OP_TOUCH_ALL:
        memset(p, 0x5a, size);
        return;
    }
}

#endif
