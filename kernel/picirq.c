/*
 * The two 8259A programmable interrupt controllers (PICs) of the PC.
 *
 * The BIOS leaves the master PIC delivering IRQ 0-7 on vectors 8-15,
 * which are also the CPU's exception vectors: a timer tick would look
 * like a double fault.  pic_init moves IRQ 0-15 to vectors IRQ_OFFSET
 * to IRQ_OFFSET + 15 and masks every line; a driver unmasks the line it
 * serves.  Reference: Intel 8259A data sheet (ICW1-4, OCW1-3).
 */
#include <inc/x86.h>
#include <inc/trap.h>
#include <inc/stdio.h>
#include <kernel/picirq.h>

#define PIC_MASTER 0x20 /* command port; data (the mask) at +1 */
#define PIC_SLAVE  0xA0

#define ICW1_INIT 0x10 /* start the initialisation sequence */
#define ICW1_ICW4 0x01 /* ... with an ICW4 */
#define ICW4_8086 0x01 /* 8086 mode, normal (not automatic) EOI */
#define OCW2_EOI  0x20 /* non-specific end of interrupt */
#define OCW3_READ_ISR                                                          \
	0x0B /* the next read of the command port                              \
	      * returns the in-service register */

/* A set bit masks its line.  The cascade line is open only while some
 * slave line is. */
static uint16_t irq_mask = 0xFFFF;

/* How many interrupts nobody asked for arrived, per line. */
static unsigned unexpected_count[16];

static void
write_mask(void)
{
	uint16_t mask = irq_mask;

	if ((mask & 0xFF00) != 0xFF00)
		mask &= ~(1 << IRQ_CASCADE);
	outb(PIC_MASTER + 1, mask & 0xFF);
	outb(PIC_SLAVE + 1, mask >> 8);
}

void
pic_init(void)
{
	/* Mask everything first: nothing may arrive half-programmed. */
	irq_mask = 0xFFFF;
	write_mask();

	/* ICW1 starts the sequence; then the vector of line 0 (ICW2),
	 * the wiring between the two (ICW3: the slave hangs on the
	 * master's line 2, and that is the slave's id), the mode (ICW4). */
	outb(PIC_MASTER, ICW1_INIT | ICW1_ICW4);
	outb(PIC_SLAVE, ICW1_INIT | ICW1_ICW4);
	outb(PIC_MASTER + 1, IRQ_OFFSET);
	outb(PIC_SLAVE + 1, IRQ_OFFSET + 8);
	outb(PIC_MASTER + 1, 1 << IRQ_CASCADE);
	outb(PIC_SLAVE + 1, IRQ_CASCADE);
	outb(PIC_MASTER + 1, ICW4_8086);
	outb(PIC_SLAVE + 1, ICW4_8086);

	/* The initialisation cleared the masks: set them again. */
	write_mask();
}

void
pic_mask(int irq)
{
	irq_mask |= 1 << irq;
	write_mask();
}

void
pic_unmask(int irq)
{
	irq_mask &= ~(1 << irq);
	write_mask();
}

/* Tells the PIC(s) that the handler of irq is done, so that lines of
 * the same or lower priority can interrupt again. */
void
pic_eoi(int irq)
{
	if (irq >= 8)
		outb(PIC_SLAVE, OCW2_EOI);
	outb(PIC_MASTER, OCW2_EOI);
}

/*
 * A PIC that raised its interrupt line and then lost the request (noise,
 * or a line masked at the wrong moment) still answers the CPU, with
 * its lowest-priority line: 7 (master) or 15 (slave).  Such a spurious
 * interrupt is not in service and must not get an EOI from that PIC.
 */
bool
pic_spurious(int irq)
{
	int port = irq == 7 ? PIC_MASTER : PIC_SLAVE;

	if (irq != 7 && irq != 15)
		return false;
	outb(port, OCW3_READ_ISR);
	return (inb(port) & 0x80) == 0;
}

/*
 * An interrupt arrived on a line no driver handles: count it, print the
 * first of each line, acknowledge it and carry on.  It is never an
 * exception, and never a reason to destroy whoever was running.
 */
void
irq_unexpected(int irq)
{
	bool spurious = pic_spurious(irq);

	if (unexpected_count[irq]++ == 0)
		cprintf("ignoring an unexpected%s interrupt on IRQ %d\n",
			spurious ? " (spurious)" : "", irq);
	if (!spurious)
		pic_eoi(irq);
	else if (irq == 15)
		pic_eoi(IRQ_CASCADE); /* the master did see line 2 */
}
