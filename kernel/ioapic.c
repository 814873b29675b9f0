/*
 * The I/O APIC (lab 4): routes device interrupts (keyboard, serial,
 * disk) to the local APICs.  ExoLab starts with every input masked:
 * in lab 4 the only interrupt is each CPU's own timer; ioapic_enable
 * is there for devices a later lab wants.
 *
 * Its registers are reached indirectly: write a register number to
 * IOREGSEL, then read or write it through IOWIN.
 * Reference: Intel 82093AA I/O APIC datasheet, section 3.
 */
#include <inc/trap.h>
#include <inc/stdio.h>
#include <kernel/cpu.h>
#include <kernel/pmap.h>

#define IOREGSEL (0x00 / 4)
#define IOWIN	 (0x10 / 4)

#define IOAPICVER    0x01 /* bits 16-23: the highest input number */
#define IOREDTBL     0x10 /* input n: 0x10 + 2n (low), + 1 (high) */
#define REDIR_MASKED 0x00010000

static volatile uint32_t *ioapic;

static uint32_t
ioapic_read(uint32_t reg)
{
	ioapic[IOREGSEL] = reg;
	return ioapic[IOWIN];
}

static void
ioapic_write(uint32_t reg, uint32_t value)
{
	ioapic[IOREGSEL] = reg;
	ioapic[IOWIN] = value;
}

/* Maps the I/O APIC and masks every input (each still names vector
 * IRQ_OFFSET + n, for when it is enabled). */
void
ioapic_init(void)
{
	if (ioapic_paddr == 0 || lapic == NULL)
		return;
	ioapic = mmio_map_region(ioapic_paddr, PGSIZE);
	if (ioapic == NULL)
		return;
	int inputs = ((ioapic_read(IOAPICVER) >> 16) & 0xFF) + 1;
	for (int n = 0; n < inputs; n++) {
		ioapic_write(IOREDTBL + 2 * n, REDIR_MASKED | (IRQ_OFFSET + n));
		ioapic_write(IOREDTBL + 2 * n + 1, 0);
	}
}

/* Delivers input irq (edge-triggered, active high: ISA devices) to
 * CPU `cpu` at vector IRQ_OFFSET + irq. */
void
ioapic_enable(int irq, int cpu)
{
	if (ioapic == NULL)
		return;
	ioapic_write(IOREDTBL + 2 * irq, IRQ_OFFSET + irq);
	ioapic_write(IOREDTBL + 2 * irq + 1,
		     (uint32_t) cpus[cpu].cpu_apicid << 24);
}
