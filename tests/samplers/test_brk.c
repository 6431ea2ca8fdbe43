/* test_brk.c - the program break as the harness reads it (sbrk(0)).
 *
 * brk_bytes in a sample is sbrk(0) - baseline break. This checks the
 * ground truth that definition rests on: moving the break by K bytes moves
 * sbrk(0) by exactly K, the new range is usable memory, and moving it back
 * restores it. Nothing here calls malloc between the sbrk calls (glibc's
 * malloc also moves the break); output is printed at the end. */
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "pages.h"

int main(void)
{
    intptr_t k = 3 * (intptr_t)page_size();
    char *b0 = sbrk(0);
    char *old = sbrk(k);
    char *b1 = sbrk(0);
    int wrote_ok = 0;

    if (old != (char *)-1) {
        /* The added range is ours: write its first and last byte. */
        ((volatile char *)old)[0] = 1;
        ((volatile char *)old)[k - 1] = 2;
        wrote_ok = ((volatile char *)old)[0] == 1 && ((volatile char *)old)[k - 1] == 2;
    }
    char *back = sbrk(-k);
    char *b2 = sbrk(0);

    CHECK(old != (char *)-1);
    CHECK(old == b0);          /* sbrk returns the previous break */
    CHECK_EQ_U64(b1 - b0, k);  /* moved by exactly K */
    CHECK(wrote_ok);
    CHECK(back == b1);
    CHECK(b2 == b0);           /* and back */
    printf("break %p -> %p -> %p (K = %ld)\n", (void *)b0, (void *)b1,
           (void *)b2, (long)k);
    return check_done("brk");
}
