/*
 * i386_init: the kernel's first C function, called from kernel/entry.S
 * on the boot stack with paging on.  It brings the subsystems up in
 * dependency order and then gives the machine to the monitor (and,
 * from lab 3 on, to user environments).
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/error.h>
#include <kernel/console.h>
#include <kernel/monitor.h>
#include <kernel/bootinfo.h>
#include <kernel/gdt.h>
#if LAB >= 2
#include <kernel/pmap.h>
#endif
#if LAB >= 3
#include <kernel/env.h>
#include <kernel/trap.h>
#include <kernel/sched.h>
#include <kernel/trace.h>
#include <kernel/userprogs.h>
#include <kernel/picirq.h>
#endif
#if LAB >= 4
#include <kernel/cpu.h>
#include <kernel/spinlock.h>
#endif

/* gcc may clone or inline a function whose argument is a constant; the
 * backtrace exercise needs real, distinct frames. */
#ifdef __clang__
#define KEEP_FRAMES __attribute__((noinline))
#else
#define KEEP_FRAMES __attribute__((noinline, noclone))
#endif

/*
 * A recursive function whose frames the stack backtrace must show
 * (lab 1).  The grader checks six test_backtrace frames with the
 * arguments 0..5, in order.
 */
KEEP_FRAMES void
test_backtrace(int depth)
{
	cprintf("entering test_backtrace %d\n", depth);
	if (depth > 0)
		test_backtrace(depth - 1);
	else
		mon_backtrace(0, NULL, NULL);
	cprintf("leaving test_backtrace %d\n", depth);
}

/*
 * A sample of printf conversions, printed at every boot; the grader
 * compares them with what they must say (lab 1, exercise 8).  Returns
 * the grader's number (printf=N on the command line), or 0.
 */
static unsigned long
printf_sample(void)
{
	cprintf("6828 decimal is %o octal!\n", 6828);
	cprintf("printf: width [%5d] left [%-5d] zeros [%05d] negative "
		"[%05d]\n",
		42, 42, 42, -42);
	cprintf("printf: hex [%x] HEX [%X] unsigned [%u] long long [%lld]\n",
		0xbeef, 0xbeef, 4294967295U, -12345678901234LL);
	cprintf("printf: string [%6s] precision [%.3s] char [%c] percent "
		"[%%]\n",
		"exo", "kernel", 'K');
	cprintf("printf: octal [%o] width [%6o] zeros [%06o] long [%lo]\n", 8,
		0755, 0755, 0x80000000UL);
	cprintf("printf: int [%i] pointer [%p] error [%e] unknown error [%e]\n",
		-7, (void *) 0xf0100000, -E_NO_MEM, 99);

	/* The grader passes printf=N, a number it picks at random, so
	 * that only a working engine prints the right line for it. */
	char arg[16];
	if (!boot_option("printf", arg, sizeof(arg)))
		return 0;
	unsigned long n = strtol(arg, NULL, 10);
	cprintf("printf: %lu is octal [%lo] width [%14lo] zeros [%014lo]\n", n,
		n, n, n);
	return n;
}

/*
 * i386_init: bring the machine up, as the top of this file says.  Only
 * the boot CPU runs it; from lab 4 on it starts the other CPUs too, and
 * takes the big kernel lock before it does (lab 4, exercise 5).
 */
void
i386_init(void)
{
	/* The .bss section holds C's zero-initialized globals.  GRUB and
	 * our boot loader both clear it, but the kernel does not rely on
	 * a loader for its own correctness. */
	extern char edata[], end[];
	memset(edata, 0, end - edata);

	/* Copy the loader's information before anything can reuse the
	 * memory it sits in; then start the console so we can talk. */
	bootinfo_init();
	cons_init();

	/* Our own segment descriptors: the boot loader's GDT lives in
	 * memory the page allocator will soon hand out (and GRUB's is
	 * wherever GRUB put it). */
	gdt_init_percpu();

	cprintf("ExoLab exokernel\n");
	bootinfo_report();
	/* The grader's number also moves the stack (by up to 4 KiB), so
	 * that the backtrace's frames differ from run to run. */
	unsigned long shift = printf_sample() % 1024;
	char pad[shift * 4 + 4];
	asm volatile("" : : "r"(pad) : "memory");
	test_backtrace(5);

#if LAB >= 2
	/* Lab 2: physical pages and the kernel's page tables. */
	mem_init();
#endif

#if LAB >= 4
	/* Lab 4: every CPU's kernel stack; which CPUs and interrupt
	 * controllers there are (before trap_init: CPU 0's TSS lives in
	 * its struct CpuInfo); the boot CPU's local APIC and its timer,
	 * and the I/O APIC. */
	mem_init_mp();
	mp_init();
	lapic_init();
	ioapic_init();
#endif
#if LAB >= 5
	/* Lab 5: typed characters interrupt CPU 0 (kernel/console.c). */
	ioapic_enable(IRQ_KBD, 0);
	ioapic_enable(IRQ_SERIAL, 0);
#endif

#if LAB >= 3
	/* Lab 3: environments and traps, then the programs the kernel
	 * command line asks for (make run-NAME). */
	/* The interrupt controllers off the exception vectors, every
	 * line masked, before anything could enable interrupts. */
	pic_init();
	env_init();
	trap_init();
	trace_init();
#if LAB >= 4
	/* The other CPUs start and wait for the kernel lock: take it
	 * first (lab 4, exercise 5; the rule is in kernel/spinlock.h). */
#if SOL >= 4
	lock_kernel();
#else
	/* LAB 4: Your code here (exercise 5). */
#endif
	boot_aps();
#endif
	/* With run=..., the scheduler starts the programs in turn (and
	 * says when nothing is left); without, go to the monitor. */
	if (queue_programs_from_cmdline())
		sched_yield();
#endif

	/* Nothing else to do yet: hand the machine to the monitor. */
	for (;;)
		monitor(NULL);
}
