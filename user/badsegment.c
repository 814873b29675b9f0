/*
 * Loads a segment selector that names no valid segment for user code
 * (index 2 of the GDT is the kernel's data segment; asking for it at
 * privilege 3 is a protection violation): a general protection fault.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	asm volatile("movw $0x10,%ax; movw %ax,%ds");
}
