/*
 * Divides by zero.  `zero` is volatile so that the compiler cannot
 * fold the division away: the CPU must really execute a divide and
 * raise the divide error (vector 0).
 */
#include <inc/lib.h>

volatile int zero;

void
umain(int argc, char **argv)
{
	int one = 1;

	cprintf("1/0 is %08x!\n", one / zero);
}
