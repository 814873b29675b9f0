/* Writes to address 0, which is not mapped: a page fault with error 6
 * (user mode, write, page not present). */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	*(volatile unsigned *) 0 = 0;
}
