/* fork_handlers_lib.h - see fork_handlers_lib.c. */
#ifndef REF_FORK_HANDLERS_LIB_H
#define REF_FORK_HANDLERS_LIB_H

enum handler_kind {
    EARLY_PREPARE, EARLY_PARENT, EARLY_CHILD, /* registered before the allocator */
    LATE_PREPARE, LATE_PARENT, LATE_CHILD,    /* registered by main, after it */
    HANDLER_KINDS
};

/* How many times a handler of this library ran in this process. */
unsigned handler_calls(enum handler_kind kind);
/* Allocates, writes, reallocates and frees a few blocks of every kind. */
void handler_allocate(int tag);

#endif
