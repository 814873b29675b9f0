/* faultio: a program without I/O privilege reads an I/O port.  The
 * kernel must destroy it (a general protection fault): only the file
 * server's environment gets IOPL 3. */
#include <inc/lib.h>
#include <inc/x86.h>

void
umain(int argc, char **argv)
{
	(void) argc;
	(void) argv;
	if (read_eflags() & FL_IOPL_3)
		cprintf("faultio: eflags say IOPL 3!\n");
	else
		cprintf("faultio: IOPL 0, as expected\n");
	/* The primary IDE controller's status register. */
	uint8_t status = inb(0x1F7);
	cprintf("faultio: read port 0x1F7 (%02x): the I/O was allowed!\n",
		status);
}
