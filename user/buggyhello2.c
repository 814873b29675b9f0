/*
 * Passes the kernel a string that starts in our data but runs far past
 * anything mapped: the whole range must be checked, not just its start.
 */
#include <inc/lib.h>

static const char greeting[] = "hello";

void
umain(int argc, char **argv)
{
	sys_cputs(greeting, 1024 * 1024);
}
