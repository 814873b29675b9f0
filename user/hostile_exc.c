/*
 * Exceptions user code can raise directly, one per run: each must be
 * reported as itself and destroy only this environment, never be taken
 * for the kernel's own or for a monitor step.
 */
#include "hostile.h"

static const char *const cases[] = {
	"ud2", "bound", "icebp", "trap flag", "into",
};
/* Not here, because QEMU 7.2's TCG raises neither: an alignment check
 * (EFLAGS.AC with CR0.AM) and an unmasked SSE exception (#XM); both
 * tried, both ran on silently.  x87 errors (#MF) are in hostile_fpu. */

void
umain(int argc, char **argv)
{
	int c = hostile_case(ARRAY_SIZE(cases));
	static int bounds[2] = { 10, 20 };

	cprintf("hostile_exc: case %d: %s\n", c, cases[c]);
	switch (c) {
	case 0:
		asm volatile("ud2");
		break;
	case 1:
		asm volatile("boundl %0, %1" : : "r"(5), "m"(bounds));
		break;
	case 2:
		/* icebp (int1): a debug trap on real CPUs, an invalid
		 * opcode under QEMU's TCG. */
		asm volatile(".byte 0xf1");
		break;
	case 3:
		/* Single-stepping itself: a debug trap the monitor did
		 * not ask for. */
		write_eflags(read_eflags() | FL_TF);
		asm volatile("nop");
		break;
	case 4:
		/* into checks its gate's DPL like int $4: a general
		 * protection fault. */
		asm volatile("movl $0x7fffffff, %%eax; addl $1, %%eax; into"
			     :
			     :
			     : "eax", "cc");
		break;
	}
	cprintf("hostile_exc: case %d (%s) did not trap!\n", c, cases[c]);
}
