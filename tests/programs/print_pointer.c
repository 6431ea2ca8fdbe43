/* print_pointer.c - output that depends on the allocator (and on ASLR):
 * the address malloc returns. expect.same_output must flag it. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    void *p = malloc(24);
    printf("%p\n", p);
    free(p);
    return 0;
}
