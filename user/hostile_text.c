/*
 * Writes into its own code and read-only data.  The kernel maps ELF
 * segments with the permissions their program headers ask for, so both
 * writes are user write faults on a present page (error code 7), and
 * the program's data and bss stay writable.
 */
#include "hostile.h"

static const char message[] = "read-only";
static char scratch[16] = "writable";

void
umain(int argc, char **argv)
{
	int c = hostile_case(2);

	scratch[0] = 'W'; /* .data must be writable */
	cprintf("hostile_text: case %d: %s\n", c,
		c == 0 ? "write .text" : "write .rodata");
	if (c == 0)
		*(volatile uint8_t *) umain = 0xcc;
	else
		*(volatile char *) message = 'R';
	cprintf("hostile_text: case %d: the write succeeded!\n", c);
}
