/*
 * The CPUs (lab 4): finding them, and starting the ones the BIOS left
 * halted.
 *
 * At power-on one CPU, the boot CPU, runs the BIOS and our kernel; the
 * others ("application processors", APs) wait for a STARTUP
 * interrupt.  mp_init learns from the firmware's tables which CPUs
 * exist (ACPI's MADT, else the Intel MP table, else just this one);
 * boot_aps then starts each AP in turn at MPENTRY_PADDR
 * (kernel/mpentry.S), which leads to mp_main.
 */
#include <inc/x86.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <kernel/cpu.h>
#include <kernel/memdetect.h>
#include <kernel/pmap.h>
#include <kernel/env.h>
#include <kernel/trap.h>
#include <kernel/gdt.h>
#include <kernel/sched.h>
#include <lab2/pmap_check.h>

struct CpuInfo cpus[NCPU];
int ncpu;
struct CpuInfo *bootcpu = &cpus[0];
physaddr_t lapic_paddr;
physaddr_t ioapic_paddr;

/* cpu_self (kernel/cpu.h): the lowest word of the current stack.  In
 * assembly, so that it costs no frame: its stack pointer is the
 * caller's minus the return address, on the same stack. */
asm(".text\n"
    ".globl cpu_self\n"
    ".type cpu_self, @function\n"
    "cpu_self:\n"
    "	movl %esp, %eax\n"
    "	andl $-32768, %eax\n" /* ~(KSTKSIZE - 1) */
    "	movl (%eax), %eax\n"
    "	ret\n"
    ".size cpu_self, . - cpu_self\n");

/* kernel/entry.S aligns the boot stack to 1 << 15 for the same reason. */
static_assert(KSTKSIZE == 1 << 15);

/* Every CPU's kernel stack (the boot CPU's too, from lab 4 on),
 * aligned so that cpu_self() (kernel/cpu.h) works. */
unsigned char percpu_kstacks[NCPU][KSTKSIZE] __attribute__((aligned(KSTKSIZE)));

/* Where the local APIC's registers are when no table says (the
 * architectural default). */
#define LAPIC_DEFAULT_PADDR 0xFEE00000

void *
firmware_table(physaddr_t pa, size_t len)
{
	if ((uint64_t) pa + len > (uint64_t) MAX_PHYSICAL_MEMORY)
		return NULL;
	return (void *) (KERNBASE + pa);
}

const void *
firmware_search(const char *sig, bool (*valid)(const void *p, size_t room))
{
	/* The EBDA's segment is stored at 0x40E, the size of base memory
	 * in KiB at 0x413. */
	const uint16_t *ebda_segment = firmware_table(0x40E, 2);
	const uint16_t *base_kb = firmware_table(0x413, 2);
	const struct {
		physaddr_t pa;
		size_t len;
	} areas[] = {
		{ ebda_segment ? (physaddr_t) *ebda_segment << 4 : 0, 1024 },
		{ base_kb && *base_kb ? ((physaddr_t) *base_kb - 1) * 1024 : 0,
		  1024 },
		{ 0xE0000, 0x20000 },
	};
	size_t siglen = strlen(sig);

	for (size_t i = 0; i < ARRAY_SIZE(areas); i++) {
		const uint8_t *p = firmware_table(areas[i].pa, areas[i].len);
		if (areas[i].pa == 0 || p == NULL)
			continue;
		for (size_t off = 0; off + siglen <= areas[i].len; off += 16)
			if (memcmp(p + off, sig, siglen) == 0 &&
			    valid(p + off, areas[i].len - off))
				return p + off;
	}
	return NULL;
}

bool
bytes_sum_to_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

bool
cpu_add(uint8_t apicid)
{
	for (int i = 0; i < ncpu; i++)
		if (cpus[i].cpu_apicid == apicid)
			return true; /* listed twice */
	if (ncpu == NCPU) {
		cprintf("SMP: more than %d CPUs: ignoring APIC id %d\n", NCPU,
			apicid);
		return false;
	}
	cpus[ncpu].cpu_id = ncpu;
	cpus[ncpu].cpu_apicid = apicid;
	ncpu++;
	return true;
}

/* The local APIC id of the CPU running this (CPUID needs no APIC
 * mapping). */
static uint8_t
initial_apicid(void)
{
	uint32_t ebx;

	cpuid(1, NULL, &ebx, NULL, NULL);
	return ebx >> 24;
}

/*
 * Finds the CPUs and interrupt controllers.  Whatever the tables say,
 * the boot CPU ends up as cpus[0]; if they are missing or wrong, the
 * kernel runs on the boot CPU alone.
 */
void
mp_init(void)
{
	uint8_t boot_apicid = initial_apicid();
	const char *source = "the ACPI MADT";
	int boot = -1;

	if (!acpi_find_cpus()) {
		source = "the MP configuration table";
		if (!mptable_find_cpus())
			source = NULL;
	}
	for (int i = 0; i < ncpu; i++)
		if (cpus[i].cpu_apicid == boot_apicid)
			boot = i;
	if (source != NULL && boot < 0) {
		cprintf("SMP: %s does not list the boot CPU (APIC id %d)\n",
			source, boot_apicid);
		source = NULL;
	}
	if (source == NULL) {
		uint32_t edx;
		cprintf("SMP: warning: no usable ACPI or MP table; "
			"running on one CPU\n");
		memset(cpus, 0, sizeof(cpus));
		ncpu = 0;
		cpu_add(boot_apicid);
		boot = 0;
		/* CPUID says whether there is a local APIC at all. */
		cpuid(1, NULL, NULL, NULL, &edx);
		lapic_paddr = (edx & (1 << 9)) ? LAPIC_DEFAULT_PADDR : 0;
		ioapic_paddr = 0;
	}

	/* The boot CPU first: it is CPU 0 for the rest of the kernel. */
	struct CpuInfo tmp = cpus[0];
	cpus[0] = cpus[boot];
	cpus[boot] = tmp;
	for (int i = 0; i < ncpu; i++)
		cpus[i].cpu_id = i;
	/* Each stack's lowest word names its CPU (cpu_self); the boot
	 * stack's names cpus[0] from the start (kernel/entry.S). */
	for (int i = 0; i < NCPU; i++)
		*(struct CpuInfo **) percpu_kstacks[i] = &cpus[i];
	bootcpu->cpu_status = CPU_STARTED;
	cprintf("SMP: %d CPU%s found through %s (boot CPU: APIC id %d)\n", ncpu,
		ncpu == 1 ? "" : "s", source ? source : "no table",
		bootcpu->cpu_apicid);
}

/* The stack mpentry.S switches to (each AP's, set before starting it). */
void *mpentry_kstack;

void mp_main(void) __attribute__((noreturn));

/* Starts every other CPU, one at a time. */
void
boot_aps(void)
{
	extern unsigned char mpentry_start[], mpentry_end[];

	if (ncpu == 1)
		return;
	if (lapic == NULL || !check_percpu_kstacks()) {
		cprintf("SMP: not starting the %d other CPU%s\n", ncpu - 1,
			ncpu == 2 ? "" : "s");
		ncpu = 1;
		return;
	}
	memmove(KADDR(MPENTRY_PADDR), mpentry_start,
		mpentry_end - mpentry_start);

	for (struct CpuInfo *c = cpus; c < cpus + ncpu; c++) {
		if (c == bootcpu)
			continue;
		mpentry_kstack = percpu_kstacks[c - cpus] + KSTKSIZE;
		lapic_startap(c->cpu_apicid, MPENTRY_PADDR);
		/* mp_main says when it is done.  A CPU that never does is
		 * given up on (after a few seconds on any machine). */
		uint64_t deadline = read_tsc() + (1ULL << 33);
		while (c->cpu_status == CPU_UNUSED && read_tsc() < deadline)
			asm volatile("pause");
		if (c->cpu_status == CPU_UNUSED) {
			cprintf("SMP: CPU %d (APIC id %d) did not start; "
				"using %d CPU%s\n",
				c->cpu_id, c->cpu_apicid, c->cpu_id,
				c->cpu_id == 1 ? "" : "s");
			ncpu = c->cpu_id;
			break;
		}
	}
}

/* Each AP continues here from kernel/mpentry.S, on its own stack. */
void
mp_main(void)
{
	/* The kernel's page directory, and the control bits mem_init
	 * set on the boot CPU. */
	lcr3(PADDR(kern_pgdir));
	lcr0((rcr0() | CR0_PE | CR0_PG | CR0_AM | CR0_WP | CR0_NE | CR0_MP) &
	     ~(CR0_TS | CR0_EM));

	gdt_init_percpu();
	lapic_init();
	trap_init_percpu();
	cprintf("SMP: CPU %d starting\n", cpunum());

	/* Done: boot_aps may start the next CPU.  This one has nothing to
	 * run yet; it waits in the scheduler's idle loop, without the
	 * kernel lock, and its timer's first tick sends it looking for
	 * work (sched_wakeup takes the lock then). */
	xchg(&thiscpu->cpu_status, CPU_HALTED);
	sched_idle();
}
