/*
 * Returns from an interrupt that never happened: iret with frames the
 * kernel would never build (an iret to the same privilege level pops
 * only eip, cs and eflags, so the attacks are in those), and far jumps and
 * segment loads through selectors user code may not use.  Each attack must cost
 * this environment its life (a general protection, invalid TSS or page fault),
 * never the kernel's.
 *
 * Under QEMU 7.2's TCG, an iret at CPL 3 whose EFLAGS image has VM set
 * enters virtual-8086 mode (a real CPU ignores VM there); the fault
 * that follows then carries a real-mode cs.
 */
#include "hostile.h"

#define USER_CS (GD_UT | 3)
#define USER_DS (GD_UD | 3)

/* Executes iret with the frame eip, cs, eflags, esp, ss and, for a
 * return to virtual-8086 mode, es, ds, fs, gs. */
static void
iret_frame(uint32_t eip, uint32_t cs, uint32_t eflags, uint32_t esp,
	   uint32_t ss)
{
	uint32_t frame[9] = { eip, cs, eflags, esp, ss, 0, 0, 0, 0 };

	asm volatile("movl %0, %%esp; iret" : : "r"(frame) : "memory");
}

static void
landed(void)
{
	uint32_t eflags = read_eflags();

	cprintf("hostile_iret: landed at user code, eflags %08x\n", eflags);
	/* An iret at CPL 3 must not have granted I/O privilege. */
	if (eflags & FL_IOPL_MASK)
		cprintf("hostile_iret: IOPL is %d: the iret raised it!\n",
			(eflags & FL_IOPL_MASK) >> 12);
	/* So this is fatal: */
	asm volatile("cli");
	cprintf("hostile_iret: cli did not trap!\n");
}

static uint32_t landing_stack[256];

static const char *const cases[] = {
	"vm86 at 0000:0000",
	"vm86 at ffff:ffff",
	"vm86 at 0003:0000",
	"NT set",
	"cs of the kernel",
	"cs with RPL 0",
	"a data segment as cs",
	"IOPL 3 and IF",
	"far jump to the TSS",
	"fs beyond the GDT",
	"null ss",
	"the TSS as ds",
};

void
umain(int argc, char **argv)
{
	int c = hostile_case(ARRAY_SIZE(cases));
	uint32_t esp = (uint32_t) &landing_stack[ARRAY_SIZE(landing_stack)];
	uint32_t flags = FL_IF & 0; /* interrupts stay off in lab 3 */

	cprintf("hostile_iret: case %d: %s\n", c, cases[c]);
	switch (c) {
	case 0:
		iret_frame(0, 0, flags | FL_VM, esp, 0);
		break;
	case 1:
		iret_frame(0xffff, 0xffff, flags | FL_VM, 0xfffe, 0);
		break;
	case 2:
		iret_frame(0, 3, flags | FL_VM, esp, 3);
		break;
	case 3:
		/* iret with NT set returns to the task in the TSS's link
		 * field: there is none. */
		write_eflags(read_eflags() | FL_NT);
		iret_frame((uint32_t) landed, USER_CS, 0, esp, USER_DS);
		break;
	case 4:
		iret_frame((uint32_t) landed, GD_KT, 0, esp, USER_DS);
		break;
	case 5:
		iret_frame((uint32_t) landed, GD_UT, 0, esp, USER_DS);
		break;
	case 6:
		iret_frame((uint32_t) landed, USER_DS, 0, esp, USER_DS);
		break;
	case 7:
		/* Survives: at CPL 3 iret leaves IOPL and IF alone; then
		 * landed() tries cli. */
		iret_frame((uint32_t) landed, USER_CS, FL_IOPL_3 | FL_IF, esp,
			   USER_DS);
		break;
	case 8:
		asm volatile("ljmp %0, $0" : : "i"(GD_TSS0));
		break;
	case 9:
		asm volatile("movw $0xfff8, %%ax; movw %%ax, %%fs" : : : "eax");
		break;
	case 10:
		asm volatile("movw $0, %%ax; movw %%ax, %%ss" : : : "eax");
		break;
	case 11:
		asm volatile("movw %0, %%ax; movw %%ax, %%ds"
			     :
			     : "i"(GD_TSS0 | 3)
			     : "eax");
		break;
	}
	cprintf("hostile_iret: case %d survived!\n", c);
}
