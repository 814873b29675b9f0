/*
 * Hits int3 with a frame pointer the kernel must not follow: first a
 * garbage one, then one that points at itself (a chain that never
 * ends).  The grader types `backtrace` in the monitor each time; the
 * walk must stay on the kernel stack, end, and not fault.  Then
 * `continue` resumes the program, which must find its registers as it
 * left them.
 */
#include "hostile.h"

static void
breakpoint_with_ebp(uint32_t ebp, const char *what)
{
	uint32_t seen;

	cprintf("hostile_backtrace: int3 with %s ebp %08x\n", what, ebp);
	asm volatile(
		"pushl %%ebp; movl %1, %%ebp; int3; movl %%ebp, %0; popl %%ebp"
		: "=a"(seen)
		: "a"(ebp)
		: "memory");
	if (seen != ebp)
		cprintf("hostile_backtrace: ebp came back as %08x!\n", seen);
	else
		cprintf("hostile_backtrace: resumed with ebp %08x\n", seen);
}

void
umain(int argc, char **argv)
{
	/* A frame whose saved ebp is its own address. */
	static uint32_t loop[2];

	loop[0] = (uint32_t) loop;
	loop[1] = (uint32_t) umain; /* a return address in our text */
	breakpoint_with_ebp(0xdead0000, "a garbage");
	breakpoint_with_ebp((uint32_t) loop, "a self-referencing");
}
