/*
 * The kernel console: output to the CGA text screen and the serial
 * port, input from the serial port and the PS/2 keyboard, whichever
 * the user types on.
 *
 * console.c multiplexes; serial.c, cga.c and kbd.c each drive one
 * device.  Input arrives by polling (cons_getc) and, once lab 4 turns
 * interrupts on, from the serial and keyboard interrupt handlers.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <inc/types.h>

void cons_init(void);
int cons_getc(void);	      /* 0 if no character is waiting */
int cons_getc_buffered(void); /* the same, without polling the devices */

/* Called by the drivers' interrupt handlers (and by polling). */
void kbd_intr(void);
void serial_intr(void);

/* Hands every character a driver's `read` returns to the input buffer
 * (a read returns -1 when the device has nothing more). */
void cons_intr(int (*read)(void));

#if LAB >= 5
struct Trapframe;
/* The keyboard's or the serial port's interrupt (lab 5). */
void console_interrupt(struct Trapframe *tf);
#endif

/* Driver entry points, used by console.c. */
void serial_init(void);
bool serial_present(void);
void serial_putc(int c);
int serial_getc(void);

void cga_init(void);
void cga_putc(int c);

void kbd_init(void);
int kbd_getc(void);

#endif /* !KERNEL_CONSOLE_H */
