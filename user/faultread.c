/* Reads from address 0, which is not mapped: a page fault (error 4:
 * user mode, read, page not present). */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	cprintf("I read %08x from location 0!\n", *(volatile unsigned *) 0);
}
