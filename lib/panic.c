/*
 * panic for user programs: say who failed where, then stop in the
 * kernel monitor with a breakpoint (so a person can look around), and
 * exit if the monitor lets us continue.
 */
#include <inc/lib.h>

void
_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cprintf("[%08x] user panic in %s at %s:%d: ", sys_getenvid(),
		binaryname, file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);

	asm volatile("int3");
	exit();
}

void
_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cprintf("[%08x] user warning in %s at %s:%d: ", sys_getenvid(),
		binaryname, file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);
}
