/* Writes kernel memory: a page fault with error 7 (user mode, write,
 * protection violation). */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	*(volatile unsigned *) 0xf0100000 = 0;
}
