/*
 * Raises vector 14 (the page fault vector) with an `int` instruction.
 * The gate's DPL is 0, so user code may not do that: the CPU raises a
 * general protection fault instead, and no fake page fault reaches the
 * kernel.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	asm volatile("int $14");
}
