/*
 * Hits a breakpoint (int3): the kernel shows the trap frame and enters
 * its monitor, where `continue` resumes us and `stepi` runs one
 * instruction at a time.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	asm volatile("int $3");
	cprintf("breakpoint: resumed after int3\n");
}
