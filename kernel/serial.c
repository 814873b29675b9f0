/*
 * The first serial port, COM1: an 8250/16550 UART at I/O port 0x3F8.
 *
 * QEMU connects it to its `-serial` device (the terminal with
 * `make qemu-nox`, a log file under the grader), so it is both the
 * grader's window into the kernel and the way to type at the monitor.
 * Register reference: the National Semiconductor PC16550D datasheet.
 */
#include <inc/x86.h>
#include <kernel/console.h>

#define COM1 0x3F8

#define COM_RX	      0	   /* in:  receive buffer (DLAB = 0) */
#define COM_TX	      0	   /* out: transmit buffer (DLAB = 0) */
#define COM_DLL	      0	   /* out: divisor latch low (DLAB = 1) */
#define COM_DLM	      1	   /* out: divisor latch high (DLAB = 1) */
#define COM_IER	      1	   /* out: interrupt enable register */
#define COM_IER_RDI   0x01 /*   interrupt when data arrives */
#define COM_IIR	      2	   /* in:  interrupt identification */
#define COM_FCR	      2	   /* out: FIFO control register */
#define COM_LCR	      3	   /* out: line control register */
#define COM_LCR_DLAB  0x80 /*   divisor latch access bit */
#define COM_LCR_WLEN8 0x03 /*   8 data bits, 1 stop, no parity */
#define COM_MCR	      4	   /* out: modem control register */
#define COM_MCR_DTR   0x01 /*   data terminal ready */
#define COM_MCR_RTS   0x02 /*   request to send */
#define COM_MCR_OUT2  0x08 /*   gates the UART's interrupt line */
#define COM_LSR	      5	   /* in:  line status register */
#define COM_LSR_DATA  0x01 /*   data is waiting */
#define COM_LSR_TXRDY 0x20 /*   transmit buffer is empty */

/* 115200 / divisor = baud rate: 9600 baud. */
#define COM_DIVISOR 12

static bool serial_exists;

void
serial_init(void)
{
	/* Turn off the FIFO. */
	outb(COM1 + COM_FCR, 0);

	/* Set the speed: the divisor latch shares ports with the data
	 * registers while DLAB is set. */
	outb(COM1 + COM_LCR, COM_LCR_DLAB);
	outb(COM1 + COM_DLL, COM_DIVISOR & 0xFF);
	outb(COM1 + COM_DLM, COM_DIVISOR >> 8);

	/* 8 data bits, 1 stop bit, no parity; DLAB off again. */
	outb(COM1 + COM_LCR, COM_LCR_WLEN8 & ~COM_LCR_DLAB);

	/* Ready to send and receive; interrupt on received data (it only
	 * reaches the CPU once the kernel unmasks IRQ 4, in lab 4). */
	outb(COM1 + COM_MCR, COM_MCR_DTR | COM_MCR_RTS | COM_MCR_OUT2);
	outb(COM1 + COM_IER, COM_IER_RDI);

	/* A missing port reads back as all ones. */
	serial_exists = (inb(COM1 + COM_LSR) != 0xFF);
}

bool
serial_present(void)
{
	return serial_exists;
}

int
serial_getc(void)
{
	if (!(inb(COM1 + COM_LSR) & COM_LSR_DATA))
		return -1;
	return inb(COM1 + COM_RX);
}

void
serial_intr(void)
{
	if (serial_exists)
		cons_intr(serial_getc);
}

void
serial_putc(int c)
{
	if (!serial_exists)
		return;
	/* Wait for the transmitter, but not forever: a wedged UART must
	 * not hang the kernel (12800 polls is far longer than one
	 * character takes at 9600 baud). */
	for (int i = 0; !(inb(COM1 + COM_LSR) & COM_LSR_TXRDY) && i < 12800;
	     i++)
		continue;
	outb(COM1 + COM_TX, c);
}
