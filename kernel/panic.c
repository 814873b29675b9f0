/*
 * Kernel panics and warnings.
 *
 * A panic means the kernel found its own state broken (never merely a
 * user program misbehaving).  We print where and why, then stay in the
 * monitor so that a person (or the grader) can look around; the
 * machine is not restarted.
 */
#include <inc/stdio.h>
#include <inc/assert.h>
#include <kernel/monitor.h>
#if LAB >= 3
#include <inc/trap.h>
#include <inc/syscall.h>
#include <kernel/env.h>
#endif

/* The first panic's message; non-NULL once the kernel has panicked. */
const char *panicstr;

#if LAB >= 3
/*
 * After a panic's message: the environment that was running and its
 * last trap into the kernel, so that a panic a system call caused names
 * the call and its arguments (registers as in inc/syscall.h).  The
 * grader's fuzz test reads this line.
 */
static void
print_env_context(void)
{
	const struct Trapframe *tf;

	if (curenv == NULL)
		return;
	tf = &curenv->env_tf;
	if (tf->tf_trapno == T_SYSCALL)
		cprintf("  env %08x's last trap: system call %u (%08x, %08x, "
			"%08x, %08x, %08x)\n",
			curenv->env_id, tf->tf_regs.reg_eax,
			tf->tf_regs.reg_edx, tf->tf_regs.reg_ecx,
			tf->tf_regs.reg_ebx, tf->tf_regs.reg_edi,
			tf->tf_regs.reg_esi);
	else
		cprintf("  env %08x's last trap: trap %u at eip %08x\n",
			curenv->env_id, tf->tf_trapno, tf->tf_eip);
}
#endif

void
_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	/* A panic while panicking (say, in cprintf) must not recurse. */
	if (panicstr == NULL) {
		panicstr = fmt;
		/* Nothing may interrupt us now; and the C ABI needs the
		 * direction flag clear, whatever state we were in. */
		asm volatile("cli; cld");

		va_start(ap, fmt);
		cprintf("kernel panic at %s:%d: ", file, line);
		vcprintf(fmt, ap);
		cprintf("\n");
		va_end(ap);
#if LAB >= 3
		print_env_context();
#endif
	}

	for (;;)
		monitor(NULL);
}

void
_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cprintf("kernel warning at %s:%d: ", file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);
}
