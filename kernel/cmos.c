/* Reading the CMOS's nonvolatile RAM (see kernel/cmos.h). */
#include <inc/x86.h>
#include <kernel/cmos.h>

unsigned
cmos_read(unsigned reg)
{
	/* Select the register, then read it. */
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}
