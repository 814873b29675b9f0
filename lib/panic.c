/*
 * panic for user programs: say who failed where, then stop in the
 * kernel monitor with a breakpoint (so a person can look around), and
 * exit if the monitor lets us continue.
 */
#include <inc/lib.h>

/* "[envid] user KIND in PROGRAM at FILE:LINE: message" */
static void
report(const char *kind, const char *file, int line, const char *fmt,
       va_list ap)
{
	cprintf("[%08x] user %s in %s at %s:%d: ", sys_getenvid(), kind,
		binaryname, file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
}

void
_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("panic", file, line, fmt, ap);
	va_end(ap);

	asm volatile("int3");
	exit();
}

void
_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning", file, line, fmt, ap);
	va_end(ap);
}
