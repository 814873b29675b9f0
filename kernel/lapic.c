/*
 * The local APIC (lab 4): each CPU's own interrupt controller.  It
 * delivers interrupts to its CPU, has a timer (which preempts user
 * environments), and sends inter-processor interrupts, which is how the
 * boot CPU starts the others.
 *
 * Its registers are memory-mapped: 4 KiB at lapic_paddr (0xFEE00000
 * normally), above physical memory, so the kernel maps them in the
 * MMIO window (mmio_map_region).  Every CPU sees its own local APIC at
 * the same address.  Each register is a 32-bit word at a 16-byte
 * offset; we index `lapic` in 4-byte words, hence the / 4.
 * Reference: Intel SDM volume 3A, chapter 10 (APIC).
 */
#include <inc/x86.h>
#include <inc/trap.h>
#include <inc/stdio.h>
#include <kernel/cpu.h>
#include <kernel/pmap.h>

#define ID	       (0x0020 / 4) /* the APIC's id, in bits 24-31 */
#define VER	       (0x0030 / 4) /* version; bits 16-23: the last LVT */
#define TPR	       (0x0080 / 4) /* task priority */
#define EOI	       (0x00B0 / 4) /* end of interrupt */
#define SVR	       (0x00F0 / 4) /* spurious interrupt vector */
#define SVR_ENABLE     0x00000100   /* the APIC is on */
#define ESR	       (0x0280 / 4) /* error status */
#define ICRLO	       (0x0300 / 4) /* interrupt command, low word */
#define ICR_INIT       0x00000500
#define ICR_STARTUP    0x00000600
#define ICR_DELIVS     0x00001000 /* still being delivered */
#define ICR_ASSERT     0x00004000
#define ICR_LEVEL      0x00008000
#define ICRHI	       (0x0310 / 4) /* interrupt command: the target */
#define TIMER	       (0x0320 / 4) /* local vector table: the timer */
#define TIMER_PERIODIC 0x00020000
#define PCINT	       (0x0340 / 4) /* ... performance counter overflow */
#define LINT0	       (0x0350 / 4) /* ... local interrupt pin 0 */
#define LINT1	       (0x0360 / 4) /* ... local interrupt pin 1 (NMI) */
#define ERROR	       (0x0370 / 4) /* ... internal errors */
#define LVT_MASKED     0x00010000
#define TICR	       (0x0380 / 4) /* timer: initial count */
#define TDCR	       (0x03E0 / 4) /* timer: divide configuration */
#define TDCR_X1	       0x0000000B   /* count at the bus clock */

/* The timer counts down from this at the bus clock: QEMU's is 1 GHz,
 * so 10,000,000 is a 10 ms time slice. */
#define TIMER_COUNT 10000000

volatile uint32_t *lapic;

static void
lapicw(int index, uint32_t value)
{
	lapic[index] = value;
	(void) lapic[ID]; /* a read waits for the write to finish */
}

/*
 * Turns on this CPU's local APIC: the first call (on the boot CPU)
 * maps its registers.  Without a mapping (no address from the
 * firmware, or mmio_map_region not written yet) the kernel runs
 * without the APIC: one CPU, no timer.
 */
void
lapic_init(void)
{
	if (lapic == NULL && lapic_paddr != 0) {
		lapic = mmio_map_region(lapic_paddr, PGSIZE);
		if (lapic == NULL)
			cprintf("lapic: no mapping for the local APIC: "
				"one CPU, no timer\n");
	}
	if (lapic == NULL)
		return;

	/* Enable it; interrupts nobody asked for arrive at this vector. */
	lapicw(SVR, SVR_ENABLE | (IRQ_OFFSET + IRQ_SPURIOUS));

	/* The timer: periodic, at IRQ_TIMER. */
	lapicw(TDCR, TDCR_X1);
	lapicw(TIMER, TIMER_PERIODIC | (IRQ_OFFSET + IRQ_TIMER));
	lapicw(TICR, TIMER_COUNT);

	/* The 8259s reach the boot CPU through LINT0 ("virtual wire"
	 * mode, as the BIOS left it); the other CPUs ignore that pin.
	 * NMIs (LINT1) are not used. */
	if (thiscpu != bootcpu)
		lapicw(LINT0, LVT_MASKED);
	lapicw(LINT1, LVT_MASKED);
	if (((lapic[VER] >> 16) & 0xFF) >= 4)
		lapicw(PCINT, LVT_MASKED);

	/* Report APIC errors at their own vector; clear old ones (the
	 * register is written twice: the first write latches it). */
	lapicw(ERROR, IRQ_OFFSET + IRQ_ERROR);
	lapicw(ESR, 0);
	lapicw(ESR, 0);

	/* Acknowledge anything pending; accept every priority. */
	lapicw(EOI, 0);
	lapicw(TPR, 0);
}

/* Tells the local APIC the current interrupt is handled, so that it
 * delivers the next one. */
void
lapic_eoi(void)
{
	if (lapic)
		lapicw(EOI, 0);
}

/* Waits about us microseconds (a port-0x80 read takes about one on a
 * PC; QEMU needs no delay at all). */
static void
microdelay(int us)
{
	for (int i = 0; i < us; i++)
		inb(0x80);
}

static void
lapic_ipi(uint8_t apicid, uint32_t command)
{
	lapicw(ICRHI, (uint32_t) apicid << 24);
	lapicw(ICRLO, command);
	for (int i = 0; i < 100000 && (lapic[ICRLO] & ICR_DELIVS); i++)
		;
}

/*
 * Starts the CPU whose local APIC is apicid at physical address addr
 * (page-aligned, below 1 MiB), in real mode: INIT resets it, and each
 * STARTUP ("SIPI") says where to run, as the page number addr >> 12.
 * The MP specification's universal algorithm sends STARTUP twice.
 */
void
lapic_startap(uint8_t apicid, physaddr_t addr)
{
	lapic_ipi(apicid, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
	microdelay(200);
	lapic_ipi(apicid, ICR_INIT | ICR_LEVEL);
	microdelay(100);
	for (int i = 0; i < 2; i++) {
		lapic_ipi(apicid, ICR_STARTUP | (addr >> 12));
		microdelay(200);
	}
}
