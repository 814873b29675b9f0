/*
 * Asks the kernel to print its own memory (the kernel's entry code):
 * the kernel must refuse, since user code may not read above ULIM.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	sys_cputs((char *) 0xf010000c, 100);
}
