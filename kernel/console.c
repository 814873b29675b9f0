/*
 * The console: every character the kernel prints goes to both the
 * serial port and the screen; typed characters from either the serial
 * port or the keyboard land in one input buffer.
 */
#include <inc/stdio.h>
#include <kernel/console.h>
#if LAB >= 5
#include <inc/trap.h>
#endif

/* A circular buffer of typed characters not yet read.  `read_pos`
 * chases `write_pos`; they are equal when the buffer is empty. */
#define CONSBUFSIZE 512

static struct {
	uint8_t buf[CONSBUFSIZE];
	uint32_t read_pos;
	uint32_t write_pos;
} input;

void
cons_intr(int (*read)(void))
{
	int c;

	while ((c = read()) != -1) {
		if (c == 0)
			continue;
		input.buf[input.write_pos++] = c;
		if (input.write_pos == CONSBUFSIZE)
			input.write_pos = 0;
		/* A full buffer drops its oldest character. */
		if (input.write_pos == input.read_pos)
			input.read_pos = (input.read_pos + 1) % CONSBUFSIZE;
	}
}

/* The oldest character in the input buffer; 0 if it is empty. */
int
cons_getc_buffered(void)
{
	if (input.read_pos == input.write_pos)
		return 0;
	int c = input.buf[input.read_pos++];
	if (input.read_pos == CONSBUFSIZE)
		input.read_pos = 0;
	return c;
}

int
cons_getc(void)
{
	/* Poll the devices ourselves: the monitor runs with interrupts
	 * off, and before lab 5 nothing else fills the buffer. */
	serial_intr();
	kbd_intr();
	return cons_getc_buffered();
}

#if LAB >= 5
/*
 * console_interrupt: a key was pressed or a byte reached the serial
 * port (lab 5, exercise 7).  The I/O APIC delivers IRQ_KBD and
 * IRQ_SERIAL (kernel/inc/trap.h) to CPU 0 at IRQ_OFFSET + irq.
 *
 * Move every waiting character from that device into the input
 * buffer: kbd_intr() for the keyboard, serial_intr() for the serial
 * port.  Characters then wait here for sys_cgetc even while nobody
 * polls, and the device is free to take the next one.  The caller
 * (trap_dispatch_apic) acknowledges the interrupt to the local APIC.
 */
void
console_interrupt(struct Trapframe *tf)
{
#if SOL >= 5
	if (tf->tf_trapno == IRQ_OFFSET + IRQ_KBD)
		kbd_intr();
	else
		serial_intr();
#else
	/* LAB 5: Your code here (exercise 7). */
	static bool said;

	(void) tf;
	if (!said)
		cprintf("console_interrupt: not implemented (lab 5, exercise "
			"7)\n");
	said = true;
#endif
}
#endif

static void
cons_putc(int c)
{
	/* A serial terminal erases with backspace, space, backspace. */
	if ((c & 0xFF) == '\b') {
		serial_putc('\b');
		serial_putc(' ');
		serial_putc('\b');
	} else {
		serial_putc(c & 0xFF);
	}
	cga_putc(c);
}

void
cons_init(void)
{
	cga_init();
	kbd_init();
	serial_init();

	/* The BIOS may have left a half-written line on the serial
	 * port (SeaBIOS prints "Booting from Hard Disk..." without a
	 * newline): start our output on a line of its own. */
	serial_putc('\n');

	if (!serial_present())
		cprintf("Serial port does not exist!\n");
}

/* The <inc/stdio.h> interface, for the kernel. */

void
cputchar(int c)
{
	cons_putc(c);
}

int
getchar(void)
{
	int c;

	while ((c = cons_getc()) == 0)
		continue;
	return c;
}

int
iscons(int fd)
{
	(void) fd;
	return 1; /* in the kernel, everything is the console */
}
