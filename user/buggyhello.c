/*
 * Passes the kernel a pointer to address 1, which is not mapped: the
 * kernel must check it and destroy us, not fault itself.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	sys_cputs((char *) 1, 1);
}
