/*
 * Divides by zero: the CPU must really execute a divide and raise the
 * divide error (vector 0).  Compilers rewrite `1 / x` as a comparison
 * (x can only be 1 or -1 for a nonzero result), so both operands are
 * volatile: unknown values leave nothing to rewrite.  (The build also
 * passes gcc -fnon-call-exceptions, which keeps trapping divides.)
 */
#include <inc/lib.h>

volatile int zero;
volatile int one = 1;

void
umain(int argc, char **argv)
{
	cprintf("1/0 is %08x!\n", one / zero);
}
