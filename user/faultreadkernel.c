/* Reads kernel memory: mapped, but not for users.  A page fault with
 * error 5 (user mode, read, protection violation). */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	cprintf("I read %08x from location 0xf0100000!\n",
		*(volatile unsigned *) 0xf0100000);
}
