/*
 * Traps: the interrupt descriptor table, and what the kernel does when
 * an environment (or the kernel itself) traps.
 */
#include <inc/mmu.h>
#include <inc/x86.h>
#include <inc/assert.h>
#include <kernel/pmap.h>
#include <kernel/trap.h>
#include <kernel/gdt.h>
#include <kernel/console.h>
#include <kernel/monitor.h>
#include <kernel/env.h>
#include <kernel/syscall.h>
#include <kernel/sched.h>
#include <kernel/trace.h>
#include <kernel/picirq.h>
#include <kernel/fpu.h>
#if LAB >= 4
#include <kernel/cpu.h>
#include <kernel/spinlock.h>
#else

/* The task state segment: where the CPU finds the kernel stack when a
 * trap arrives from user mode. */
static struct Taskstate ts;
#endif

/* The frame of the trap being handled: print_trapframe shows cr2 only
 * for it, since CR2 holds the address of the latest page fault. */
static struct Trapframe *last_tf;

/* The IDT: 256 gates.  Its address and size go to lidt. */
struct Gatedesc idt[256] = { { 0 } };
static struct Pseudodesc idt_pd = { sizeof(idt) - 1, (uint32_t) idt };

const char *
trapname(int trapno)
{
	static const char *const excnames[] = {
		"Divide error",
		"Debug",
		"Non-Maskable Interrupt",
		"Breakpoint",
		"Overflow",
		"BOUND Range Exceeded",
		"Invalid Opcode",
		"Device Not Available",
		"Double Fault",
		"Coprocessor Segment Overrun",
		"Invalid TSS",
		"Segment Not Present",
		"Stack Fault",
		"General Protection",
		"Page Fault",
		"(unknown trap)",
		"x87 FPU Floating-Point Error",
		"Alignment Check",
		"Machine-Check",
		"SIMD Floating-Point Exception"
	};

	if (trapno < (int) ARRAY_SIZE(excnames))
		return excnames[trapno];
	if (trapno == T_SYSCALL)
		return "System call";
	if (trapno >= IRQ_OFFSET && trapno < IRQ_OFFSET + 16)
		return "Hardware Interrupt";
	return "(unknown trap)";
}

#if SOL >= 3
/* The entry points in kernel/trapentry.S. */
void trap_divide(void), trap_debug(void), trap_nmi(void), trap_brkpt(void),
	trap_oflow(void), trap_bound(void), trap_illop(void), trap_device(void),
	trap_dblflt(void), trap_tss(void), trap_segnp(void), trap_stack(void),
	trap_gpflt(void), trap_pgflt(void), trap_fperr(void), trap_align(void),
	trap_mchk(void), trap_simderr(void), trap_syscall(void);
/* One stub for each of the 256 vectors, that records its own number. */
extern uint32_t trap_vectors[256];
#endif

/*
 * trap_init: fill in the IDT (lab 3, exercise 4).
 *
 * Every vector 0-19 and T_SYSCALL needs a gate pointing at its entry
 * point in kernel/trapentry.S (SETGATE in inc/mmu.h), in the kernel
 * code segment GD_KT.  Use interrupt gates (istrap = 0): the kernel
 * runs with interrupts off.  The gate's DPL is the privilege an `int`
 * instruction needs to use it: 3 for T_BRKPT and T_SYSCALL, which user
 * code may raise on purpose; 0 for the rest, so that `int $14` from
 * user mode is a general protection fault, not a fake page fault.
 *
 * The other vectors (20-255: reserved exceptions, the PIC's interrupts
 * at IRQ_OFFSET..IRQ_OFFSET + 15) should have gates too, with DPL 0:
 * without one, a stray interrupt is a double fault.  An entry point
 * per vector that pushes its own number lets trap() say which one it
 * was (an assembler loop, .rept, can write them all).
 */
void
trap_init(void)
{
#if SOL >= 3
	static void (*const handlers[])(void) = {
		trap_divide, trap_debug, trap_nmi,    trap_brkpt,  trap_oflow,
		trap_bound,  trap_illop, trap_device, trap_dblflt, NULL,
		trap_tss,    trap_segnp, trap_stack,  trap_gpflt,  trap_pgflt,
		NULL,	     trap_fperr, trap_align,  trap_mchk,   trap_simderr,
	};

	/* Every other vector (reserved exceptions, hardware interrupts)
	 * gets a stub too, so that whatever arrives is reported by its
	 * real number. */
	for (int i = 0; i < 256; i++)
		SETGATE(idt[i], 0, GD_KT, trap_vectors[i], 0);
	for (size_t i = 0; i < ARRAY_SIZE(handlers); i++)
		if (handlers[i] != NULL)
			SETGATE(idt[i], 0, GD_KT, handlers[i], 0);
	SETGATE(idt[T_BRKPT], 0, GD_KT, trap_brkpt, 3);
	SETGATE(idt[T_SYSCALL], 0, GD_KT, trap_syscall, 3);
#else
	/* LAB 3: Your code here (exercise 4).
	 * Until then the IDT is empty: the first trap resets the machine
	 * (a triple fault), so say so now. */
	cprintf("trap_init: not implemented (lab 3, exercise 4): the first "
		"trap or system call will reset the machine\n");
#endif
	trap_init_percpu();
}

#if LAB >= 4
/*
 * trap_init_percpu: load this CPU's TSS and the IDT (lab 4, exercise 4).
 *
 * Every CPU runs this once, at boot (mp_main for the others).  Each
 * needs its own task state segment, thiscpu->cpu_ts, because a trap
 * from user mode switches to the stack the TSS names, and each CPU has
 * its own kernel stack: ts_esp0 = cpu_kstacktop(i) for CPU i =
 * cpunum(), ts_ss0 = GD_KD, and ts_iomb = sizeof(struct Taskstate)
 * (no I/O permission bitmap).  Its descriptor goes in GDT slot
 * (GD_TSS0 >> 3) + i, as lab 3 filled slot GD_TSS0 >> 3 (SEG16, then
 * sd_s = 0: a system segment), and ltr loads selector GD_TSS0 + 8 * i.
 * Then lidt(&idt_pd): the IDT is shared.
 *
 * Hint: two CPUs must never load the same TSS: ltr marks its
 * descriptor busy, and a second ltr of a busy TSS faults.
 */
void
trap_init_percpu(void)
{
#if SOL >= 4
	int i = cpunum();
	struct Taskstate *ts = &thiscpu->cpu_ts;

	ts->ts_esp0 = cpu_kstacktop(i);
	ts->ts_ss0 = GD_KD;
	ts->ts_iomb = sizeof(struct Taskstate);
	gdt[(GD_TSS0 >> 3) + i] =
		SEG16(STS_T32A, (uint32_t) ts, sizeof(struct Taskstate) - 1, 0);
	gdt[(GD_TSS0 >> 3) + i].sd_s = 0;
	ltr(GD_TSS0 + (i << 3));
#else
	/* LAB 4: Your code here (exercise 4).
	 * Until then, CPU 0's TSS, as in lab 3: no other CPU may share it. */
	struct Taskstate *ts = &cpus[0].cpu_ts;

	if (cpunum() != 0)
		panic("trap_init_percpu: CPU %d has no TSS of its own: not "
		      "implemented (lab 4, exercise 4)",
		      cpunum());
	ts->ts_esp0 = KSTACKTOP;
	ts->ts_ss0 = GD_KD;
	ts->ts_iomb = sizeof(struct Taskstate);
	gdt[GD_TSS0 >> 3] =
		SEG16(STS_T32A, (uint32_t) ts, sizeof(struct Taskstate) - 1, 0);
	gdt[GD_TSS0 >> 3].sd_s = 0;
	ltr(GD_TSS0);
#endif
	lidt(&idt_pd);
	/* Environments use the FPU and SSE (kernel/fpu.c). */
	fpu_init_percpu();
}
#else
/* Loads this CPU's TSS and the IDT. */
void
trap_init_percpu(void)
{
	/* A trap from user mode switches to this stack. */
	ts.ts_esp0 = KSTACKTOP;
	ts.ts_ss0 = GD_KD;
	/* No I/O permission bitmap: the offset points past the TSS. */
	ts.ts_iomb = sizeof(struct Taskstate);
	gdt[GD_TSS0 >> 3] = SEG16(STS_T32A, (uint32_t) &ts,
				  sizeof(struct Taskstate) - 1, 0);
	gdt[GD_TSS0 >> 3].sd_s = 0; /* a system segment */
	ltr(GD_TSS0);
	lidt(&idt_pd);
	/* Environments use the FPU and SSE (kernel/fpu.c). */
	fpu_init_percpu();
}
#endif

void
print_trapframe(struct Trapframe *tf)
{
	cprintf("TRAP frame at %p\n", tf);
	print_regs(&tf->tf_regs);
	cprintf("  es   0x----%04x\n", tf->tf_es);
	cprintf("  ds   0x----%04x\n", tf->tf_ds);
	cprintf("  trap 0x%08x %s\n", tf->tf_trapno, trapname(tf->tf_trapno));
	/* For a page fault just taken, CR2 still says where. */
	if (tf == last_tf && tf->tf_trapno == T_PGFLT)
		cprintf("  cr2  0x%08x\n", rcr2());
	cprintf("  err  0x%08x", tf->tf_err);
	/* A page fault's error code, decoded: user or kernel, write or
	 * read, protection violation or page not present. */
	if (tf->tf_trapno == T_PGFLT)
		cprintf(" [%s, %s, %s]\n",
			tf->tf_err & FEC_U ? "user" : "kernel",
			tf->tf_err & FEC_WR ? "write" : "read",
			tf->tf_err & FEC_PR ? "protection" : "not-present");
	else
		cprintf("\n");
	cprintf("  eip  0x%08x\n", tf->tf_eip);
	cprintf("  cs   0x----%04x\n", tf->tf_cs);
	cprintf("  flag 0x%08x\n", tf->tf_eflags);
	if (trap_from_user(tf)) {
		cprintf("  esp  0x%08x\n", tf->tf_esp);
		cprintf("  ss   0x----%04x\n", tf->tf_ss);
	}
}

void
print_regs(struct PushRegs *regs)
{
	static const char *const names[] = {
		"edi", "esi", "ebp", "oesp", "ebx", "edx", "ecx", "eax",
	};
	const uint32_t value[] = {
		regs->reg_edi, regs->reg_esi, regs->reg_ebp, regs->reg_oesp,
		regs->reg_ebx, regs->reg_edx, regs->reg_ecx, regs->reg_eax,
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		cprintf("  %-4s 0x%08x\n", names[i], value[i]);
}

/*
 * trap_dispatch: act on a trap (lab 3, exercises 5-7).
 *
 *  - T_PGFLT: page_fault_handler.
 *  - T_BRKPT: show the frame and enter the monitor with it; the
 *    monitor's `continue` and `stepi` resume the environment.
 *  - T_DEBUG: a single step (the trap flag) finished: enter the
 *    monitor again.
 *  - T_SYSCALL: call syscall() (kernel/syscall.c) with the number in
 *    eax and the arguments in edx, ecx, ebx, edi, esi; put the result
 *    in the frame's eax, where the user finds it after the iret.
 *  - Anything else from user mode destroys the environment; from the
 *    kernel it is a kernel bug: panic.
 *
 * (always_inline: trap() also hands this function to the tracer,
 * kernel/trace.c, which would otherwise make gcc call it out of line
 * on every trap.)
 */
static inline __attribute__((always_inline)) void
trap_dispatch(struct Trapframe *tf)
{
#if SOL >= 3
	struct PushRegs *r = &tf->tf_regs;

	switch (tf->tf_trapno) {
	case T_PGFLT:
		page_fault_handler(tf);
		return;
	case T_BRKPT:
		print_trapframe(tf);
		monitor(tf);
		return;
	case T_DEBUG:
		/* Only a step the monitor asked for; a program that sets
		 * the trap flag itself is just misbehaving (below). */
		if (curenv == NULL || curenv->env_id != monitor_stepping_env)
			break;
		monitor_stepping_env = 0;
		cprintf("stepped to eip %08x\n", tf->tf_eip);
		monitor(tf);
		return;
	case T_SYSCALL:
		r->reg_eax = syscall(r->reg_eax, r->reg_edx, r->reg_ecx,
				     r->reg_ebx, r->reg_edi, r->reg_esi);
		return;
	}
#else
	/* LAB 3: Your code here (exercises 5-7). */
#endif

	/* A hardware interrupt no driver asked for (the PIC's lines are
	 * masked, but a spurious one still comes): ignore it.  It is not
	 * the fault of whoever was running. */
	if (tf->tf_trapno >= IRQ_OFFSET && tf->tf_trapno < IRQ_OFFSET + 16) {
		irq_unexpected(tf->tf_trapno - IRQ_OFFSET);
		return;
	}

	/* Unexpected trap: the user process or the kernel has a bug. */
	print_trapframe(tf);
	if (!trap_from_user(tf))
		panic("unhandled trap in kernel");
	env_destroy(curenv);
}

#if LAB >= 4
/* The part of an interrupt that must happen whoever is running: the
 * console's input is read (the device would not interrupt again), and
 * the local APIC gets its EOI. */
static void
irq_finish(struct Trapframe *tf)
{
#if LAB >= 5
	if (tf->tf_trapno == IRQ_OFFSET + IRQ_KBD ||
	    tf->tf_trapno == IRQ_OFFSET + IRQ_SERIAL)
		console_interrupt(tf);
#endif
	lapic_eoi();
}

/*
 * The local APIC's own interrupts (lab 4, exercise 14 for the timer).
 *
 * The timer interrupt (IRQ_OFFSET + IRQ_TIMER) is how the kernel takes
 * the CPU back from an environment that never yields: acknowledge it
 * to the local APIC (lapic_eoi), or it never interrupts again, and
 * call sched_yield() to run the next environment.  (Interrupts arrive
 * only from user mode: the kernel runs with them off, and sched_wakeup
 * handles those that wake an idle CPU.)
 */
static void
trap_dispatch_apic(struct Trapframe *tf)
{
#if SOL < 4
	static bool timer_said;
#endif

	switch (tf->tf_trapno) {
	case IRQ_OFFSET + IRQ_TIMER:
#if SOL >= 4
		lapic_eoi();
		sched_yield();
#else
		/* LAB 4: Your code here (exercise 14). */
		lapic_eoi();
		if (!timer_said) {
			cprintf("timer interrupt: preemption is not "
				"implemented (lab 4, exercise 14)\n");
			timer_said = true;
		}
		env_run(curenv);
#endif
	case IRQ_OFFSET + IRQ_ERROR:
		cprintf("local APIC error on CPU %d\n", cpunum());
		lapic_eoi();
		env_run(curenv);
#if LAB >= 5
	case IRQ_OFFSET + IRQ_KBD:
	case IRQ_OFFSET + IRQ_SERIAL:
		irq_finish(tf);
		env_run(curenv);
#endif
	}
	/* The local APIC's spurious vector (IRQ_SPURIOUS) needs no EOI;
	 * trap_dispatch ignores it like any unexpected interrupt. */
}
#endif

/*
 * trap: every trap and interrupt arrives here, from kernel/trapentry.S,
 * with the frame it built.  A frame from user mode is saved in curenv
 * (from lab 4 on, after taking the big kernel lock: exercise 5, and
 * kernel/spinlock.h has the rule); trap_dispatch acts on it; then the
 * environment resumes, or the scheduler picks another.  Never returns.
 */
void
trap(struct Trapframe *tf)
{
	/* The environment may have set the direction flag; C code in
	 * the kernel assumes it clear. */
	asm volatile("cld" ::: "cc");

	/* Interrupt gates turned interrupts off; they must stay off in
	 * the kernel (lab 4 revisits this). */
	assert(!(read_eflags() & FL_IF));

#if LAB >= 4
	/* An interrupt woke this CPU from sched_halt's idle loop, which
	 * runs without the kernel lock. */
	if (!trap_from_user(tf) && thiscpu->cpu_status == CPU_HALTED &&
	    tf->tf_trapno >= IRQ_OFFSET)
		sched_wakeup(tf);
#endif

	if (trap_from_user(tf)) {
#if LAB >= 4
		/* Entering the kernel from user mode: take the big kernel
		 * lock (lab 4, exercise 5; kernel/spinlock.h has the rule)
		 * before touching any kernel state, curenv's included. */
#if SOL >= 4
		lock_kernel();
#else
		/* LAB 4: Your code here (exercise 5). */
#endif
#endif
		/* From user mode: copy the frame into the environment, so
		 * that returning to it later restarts it here; the copy
		 * on the kernel stack is discarded. */
		assert(curenv);
#if LAB >= 4
		/* Another CPU destroyed it while it ran here (env_destroy):
		 * free it now that it no longer runs. */
		if (curenv->env_status == ENV_DYING) {
			/* An interrupt that brought it here still needs
			 * its EOI, or this CPU's local APIC never
			 * interrupts again (halted, it would never wake). */
			if (tf->tf_trapno >= IRQ_OFFSET &&
			    tf->tf_trapno != IRQ_OFFSET + IRQ_SPURIOUS)
				irq_finish(tf);
			env_free(curenv);
			curenv = NULL;
			sched_yield();
		}
#endif
		curenv->env_tf = *tf;
		tf = &curenv->env_tf;
	}
	last_tf = tf;

	/* ExoLab environments never run in virtual-8086 mode (only a
	 * QEMU quirk gets them there, see trap_from_user): whatever
	 * trapped, the environment is finished. */
	if (tf->tf_eflags & FL_VM) {
		cprintf("[%08x] trap %d in virtual-8086 mode\n", curenv->env_id,
			tf->tf_trapno);
		print_trapframe(tf);
		env_destroy(curenv);
	}

#if LAB >= 4
	trap_dispatch_apic(tf);
#endif
	/* trace=... on the kernel command line: kernel/trace.c prints
	 * the trap or system call around its dispatch. */
	if (trace_mask)
		trace_dispatch(tf, trap_dispatch);
	else
		trap_dispatch(tf);

	/* A trap the kernel took itself and survived (an ignored
	 * interrupt, a breakpoint): resume the kernel where it was. */
	if (!trap_from_user(tf))
		env_pop_tf(tf);

		/* Back to the environment if it is still running, else let the
		 * scheduler choose. */
#if LAB >= 4
	/* It trapped on this CPU and still runs here: its address space
	 * and FPU registers are still loaded, and env_run has nothing to
	 * do (the common case: every system call).  env_runs counts the
	 * times the scheduler ran it, not its system calls. */
	if (curenv && curenv->env_status == ENV_RUNNING)
		env_pop_tf(&curenv->env_tf);
#else
	if (curenv && curenv->env_status == ENV_RUNNING)
		env_run(curenv);
#endif
	sched_yield();
}

/*
 * page_fault_handler (lab 3, exercise 9 for the kernel-mode check;
 * lab 4, exercise 9 for the upcall).
 *
 * A page fault in the kernel is a kernel bug: panic, saying where
 * (trap_from_user() in kernel/trap.h tells which it is).
 *
 * A fault in user mode goes to the environment's own handler, if it
 * set one (sys_env_set_pgfault_upcall): the kernel pushes a struct
 * UTrapframe, the fault and the registers at the time of the fault, on
 * the user exception stack, [UXSTACKTOP - PGSIZE, UXSTACKTOP), and
 * resumes the environment at env_pgfault_upcall with esp pointing at
 * that UTrapframe.  If the fault happened on the exception stack
 * itself (the handler faulted), the new UTrapframe goes just below the
 * trap-time esp, leaving one empty 32-bit word between them: the
 * upcall's return path (lib/pfentry.S) stores the return eip there.
 *
 * The environment is destroyed, with the line
 *   [envid] user fault va VA ip EIP
 * and the trap frame, when it has no upcall, and also (with a line
 * saying why first) when the upcall is not mapped user-readable, when
 * the UTrapframe would fall off the bottom of the exception stack, or
 * when the exception stack is not mapped user-writable.
 *
 * Hint: check the whole UTrapframe's range with user_mem_check before
 * writing it; the environment's page tables are the current ones, so
 * the kernel may then write it at its user address.
 */
void
page_fault_handler(struct Trapframe *tf)
{
	uintptr_t fault_va = rcr2();

#if SOL >= 3
	if (!trap_from_user(tf))
		panic("page fault in the kernel at va %08x, eip %08x (err %x)",
		      fault_va, tf->tf_eip, tf->tf_err);
#else
	/* LAB 3: Your code here (exercise 9). */
#endif

#if SOL >= 4
	if (curenv->env_pgfault_upcall != NULL) {
		const char *problem = NULL;
		uintptr_t esp = UXSTACKTOP;
		struct UTrapframe *utf;

		/* A fault in the handler: below its frame, plus the word
		 * that pfentry.S needs. */
		if (tf->tf_esp >= UXSTACKTOP - PGSIZE &&
		    tf->tf_esp < UXSTACKTOP)
			esp = tf->tf_esp - sizeof(uint32_t);
		esp -= sizeof(struct UTrapframe);
		if (esp < UXSTACKTOP - PGSIZE)
			problem = "the user exception stack overflowed";
		else if (user_mem_check(curenv, (void *) esp,
					sizeof(struct UTrapframe),
					PTE_U | PTE_W) < 0)
			problem = "the user exception stack is not mapped "
				  "writable";
		else if (user_mem_check(curenv, curenv->env_pgfault_upcall, 1,
					PTE_U) < 0)
			problem = "the page fault upcall is not mapped for the "
				  "user";
		if (problem == NULL) {
			utf = (struct UTrapframe *) esp;
			utf->utf_fault_va = fault_va;
			utf->utf_err = tf->tf_err;
			utf->utf_regs = tf->tf_regs;
			utf->utf_eip = tf->tf_eip;
			utf->utf_eflags = tf->tf_eflags;
			utf->utf_esp = tf->tf_esp;
			tf->tf_esp = esp;
			tf->tf_eip = (uintptr_t) curenv->env_pgfault_upcall;
			/* Still loaded here: no need for env_run. */
			env_pop_tf(tf);
		}
		cprintf("[%08x] %s (upcall %08x, esp %08x)\n", curenv->env_id,
			problem, (uintptr_t) curenv->env_pgfault_upcall, esp);
	}
#elif LAB >= 4
	/* LAB 4: Your code here (exercise 9): run the upcall. */
	if (curenv->env_pgfault_upcall != NULL)
		cprintf("page_fault_handler: upcalls not implemented (lab 4, "
			"exercise 9)\n");
#endif

	cprintf("[%08x] user fault va %08x ip %08x\n", curenv->env_id, fault_va,
		tf->tf_eip);
	print_trapframe(tf);
	env_destroy(curenv);
}
