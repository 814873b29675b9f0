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

/* The first panic's message; non-NULL once the kernel has panicked. */
const char *panicstr;

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
