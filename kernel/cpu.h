/*
 * The processors (lab 4): what the kernel knows about each CPU, how it
 * finds them (kernel/cpu.c, kernel/acpi.c, kernel/mptable.c) and how it
 * talks to their interrupt controllers (kernel/lapic.c,
 * kernel/ioapic.c).
 *
 * Every CPU runs the same kernel code on the same kernel page tables;
 * what differs per CPU is in its struct CpuInfo: its kernel stack (at
 * KSTACKTOP - i * (KSTKSIZE + KSTKGAP)), its task state segment (whose
 * GDT slot is GD_TSS0 + 8 * i) and the environment it runs, which
 * `curenv` names.  A CPU finds its own record through its local APIC's
 * id: thiscpu is &cpus[cpunum()].
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <inc/types.h>
#include <inc/memlayout.h>
#include <inc/mmu.h>
#include <inc/env.h>

/* At most this many CPUs (the GDT has a TSS slot for each). */
#define NCPU 8

/* cpu_status values. */
enum {
	CPU_UNUSED = 0, /* not started (or not there) */
	CPU_STARTED,	/* running kernel or user code */
	CPU_HALTED,	/* idle in sched_halt, without the lock */
};

struct CpuInfo {
	uint8_t cpu_id;		      /* index into cpus[] */
	uint8_t cpu_apicid;	      /* its local APIC's id */
	volatile unsigned cpu_status; /* CPU_UNUSED, ... */
	struct Env *cpu_env;	      /* the environment it runs, or NULL */
	struct Taskstate cpu_ts;      /* where a trap from user mode finds
					 this CPU's kernel stack */
};

extern struct CpuInfo cpus[NCPU];
extern int ncpu;		/* CPUs found (at least 1) */
extern struct CpuInfo *bootcpu; /* the CPU that booted the kernel */

/* The kernel stacks of the CPUs, mapped at KSTACKTOP and below
 * (mem_init_mp, kernel/pmap.c). */
extern unsigned char percpu_kstacks[NCPU][KSTKSIZE];

/* The top of CPU i's kernel stack, in the KSTACKTOP region. */
static inline uintptr_t
cpu_kstacktop(int i)
{
	return KSTACKTOP - i * (KSTKSIZE + KSTKGAP);
}

/*
 * This CPU's record.  Every kernel stack (the boot stack, and each of
 * percpu_kstacks, which also appear at cpu_kstacktop(i)) is KSTKSIZE
 * bytes, aligned to KSTKSIZE, and its lowest word points to the record
 * of the CPU that uses it: cpu_self (kernel/cpu.c, three instructions)
 * rounds the stack pointer down and reads that word.  No local APIC
 * read: this is on every system call's path, many times over, since
 * curenv needs it.  The kernel never moves from one CPU to another
 * while it runs (interrupts are off), so within a function the answer
 * never changes: `const` lets the compiler call it once per function.
 * (Only a stack overflow, into the guard gap below, could overwrite
 * that word; the page fault stops the kernel then.)
 */
struct CpuInfo *cpu_self(void) __attribute__((const));

#define thiscpu (cpu_self())

/* The index in cpus[] of the CPU running this code. */
static inline __attribute__((always_inline)) int
cpunum(void)
{
	return thiscpu->cpu_id;
}

/* kernel/cpu.c: finding the CPUs (ACPI first, then the MP tables). */
void mp_init(void);
/* Starts the other CPUs (each runs mp_main, then the scheduler). */
void boot_aps(void);
/* Records a CPU with local APIC id apicid; false if there are already
 * NCPU. */
bool cpu_add(uint8_t apicid);

/* What the firmware tables told us about the interrupt controllers. */
extern physaddr_t lapic_paddr;	/* the local APICs' registers */
extern physaddr_t ioapic_paddr; /* the (first) I/O APIC's, or 0 */

/* kernel/acpi.c and kernel/mptable.c: each fills cpus[] and the two
 * addresses above from its tables; false (with a warning) if it found
 * no usable table. */
bool acpi_find_cpus(void);
bool mptable_find_cpus(void);

/* A physical range the kernel can read through its KERNBASE window, or
 * NULL if [pa, pa + len) lies (partly) beyond it. */
void *firmware_table(physaddr_t pa, size_t len);
/* The first structure on a 16-byte boundary that starts with signature
 * sig and that valid() accepts (room: the bytes from p to the end of
 * the area), in the places the BIOS keeps such tables: the first KiB of
 * the EBDA, the last KiB of base memory, 0xE0000-0xFFFFF.  (ACPI's
 * RSDP and the MP floating pointer each live in some of them.)  NULL
 * if there is none. */
const void *firmware_search(const char *sig,
			    bool (*valid)(const void *p, size_t room));
/* Whether the len bytes at p add up to 0 mod 256 (the checksum rule of
 * both ACPI and the MP tables). */
bool bytes_sum_to_zero(const void *p, size_t len);

/* kernel/lapic.c: this CPU's local APIC. */
void lapic_init(void);
void lapic_eoi(void);
void lapic_startap(uint8_t apicid, physaddr_t addr);
extern volatile uint32_t *lapic; /* its registers, or NULL */

/* kernel/ioapic.c: the I/O APIC routes device interrupts. */
void ioapic_init(void);
void ioapic_enable(int irq, int cpu);

#endif /* !KERNEL_CPU_H */
