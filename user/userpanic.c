/*
 * Panics on purpose: the library prints who panicked and where, then
 * breaks into the kernel monitor; `continue` lets the program exit.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	panic("this program panics on purpose (%d)", 42);
}
