/*
 * i386_init: the kernel's first C function, called from kernel/entry.S
 * on the boot stack with paging on.  It brings the subsystems up in
 * dependency order and then gives the machine to the monitor (and,
 * from lab 3 on, to user environments).
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <kernel/console.h>
#include <kernel/monitor.h>
#include <kernel/bootinfo.h>
#include <kernel/gdt.h>
#include <lab1/checks.h>
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
	/* Lab 1's checks (lab1/checks.c).  The grader's number also
	 * moves the stack (by up to 4 KiB), so that the backtrace's
	 * frames differ from run to run. */
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
