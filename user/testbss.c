/*
 * Checks that a large .bss (4 MiB) is zeroed and writable, then writes
 * past its end, which must fault.
 */
#include <inc/lib.h>

#define ARRAYSIZE (1024 * 1024)

uint32_t bigarray[ARRAYSIZE];

void
umain(int argc, char **argv)
{
	int i;

	cprintf("Making sure bss works right...\n");
	for (i = 0; i < ARRAYSIZE; i++)
		if (bigarray[i] != 0)
			panic("bigarray[%d] isn't cleared!\n", i);
	for (i = 0; i < ARRAYSIZE; i++)
		bigarray[i] = i;
	for (i = 0; i < ARRAYSIZE; i++)
		if (bigarray[i] != (uint32_t) i)
			panic("bigarray[%d] didn't hold its value!\n", i);

	cprintf("Yes, good.  Now doing a wild write off the end...\n");
	/* Through a volatile pointer: the compiler may not reason away
	 * (or warn about) a write it can see is out of bounds. */
	volatile uint32_t *wild = bigarray;
	wild[ARRAYSIZE + 1024] = 0;
	panic("SHOULD HAVE TRAPPED!!!");
}
