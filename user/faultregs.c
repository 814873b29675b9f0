/*
 * faultregs: a page fault handled in user space leaves every register
 * and eflags as it was.
 *
 * The program loads random values (from the time-stamp counter, so
 * different each run) into every general register and random
 * arithmetic flags and DF into eflags, then writes to a page that is
 * not mapped.  The handler maps it and returns.  The program checks
 *   - the UTrapframe the kernel gave the handler: the registers, eflags
 *     and esp at the fault, the faulting address and eip;
 *   - the registers and eflags right after the write, once
 *     lib/pfentry.S has returned to it.
 */
#include <inc/lib.h>
#include <inc/x86.h>

/* Nothing is mapped here. */
#define FAULT_VA 0x00B00000

/* Register images, in the order the code below stores them. */
struct regs {
	uint32_t eax, ecx, edx, ebx, esi, edi, ebp, esp, eflags;
};

struct regs before, after;
static struct UTrapframe seen;
static int handler_runs;
extern char fault_insn[];

/* Sets every register from `before`, writes to FAULT_VA, saves every
 * register to `after`.  esp cannot be random (it is the stack), so
 * `before.esp` records it. */
void run_fault(void);
asm(".text\n"
    ".globl run_fault\n"
    "run_fault:\n"
    "	pushl %ebp\n"
    "	pushl %ebx\n"
    "	pushl %esi\n"
    "	pushl %edi\n"
    "	movl %esp, before+28\n"
    "	movl before+4, %ecx\n"
    "	movl before+8, %edx\n"
    "	movl before+12, %ebx\n"
    "	movl before+16, %esi\n"
    "	movl before+20, %edi\n"
    "	movl before+24, %ebp\n"
    "	pushl before+32\n"
    "	popfl\n"
    "	movl before+0, %eax\n"
    ".globl fault_insn\n"
    "fault_insn:\n"
    "	movl %eax, 0x00B00000\n"
    "	pushfl\n"
    "	popl after+32\n"
    "	movl %eax, after+0\n"
    "	movl %ecx, after+4\n"
    "	movl %edx, after+8\n"
    "	movl %ebx, after+12\n"
    "	movl %esi, after+16\n"
    "	movl %edi, after+20\n"
    "	movl %ebp, after+24\n"
    "	movl %esp, after+28\n"
    "	cld\n"
    "	popl %edi\n"
    "	popl %esi\n"
    "	popl %ebx\n"
    "	popl %ebp\n"
    "	ret\n");

static void
handler(struct UTrapframe *utf)
{
	int r;

	handler_runs++;
	seen = *utf;
	if ((r = sys_page_alloc(0,
				(void *) ROUNDDOWN(utf->utf_fault_va, PGSIZE),
				PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_page_alloc: %e", r);
}

/* Compares one register; prints and counts a difference. */
static int
check(const char *where, const char *name, uint32_t want, uint32_t got)
{
	if (want == got)
		return 0;
	cprintf("faultregs: %s: %s is %08x, not %08x\n", where, name, got,
		want);
	return 1;
}

static int
check_regs(const char *where, const struct regs *want, const struct regs *got)
{
	/* IF belongs to the kernel: compare the flags a program owns. */
	const uint32_t flags =
		FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_DF | FL_OF;
	int bad = 0;

	bad += check(where, "eax", want->eax, got->eax);
	bad += check(where, "ecx", want->ecx, got->ecx);
	bad += check(where, "edx", want->edx, got->edx);
	bad += check(where, "ebx", want->ebx, got->ebx);
	bad += check(where, "esi", want->esi, got->esi);
	bad += check(where, "edi", want->edi, got->edi);
	bad += check(where, "ebp", want->ebp, got->ebp);
	bad += check(where, "esp", want->esp, got->esp);
	bad += check(where, "eflags", want->eflags & flags,
		     got->eflags & flags);
	return bad;
}

void
umain(int argc, char **argv)
{
	uint32_t x = (uint32_t) read_tsc() | 1;
	uint32_t *fields = (uint32_t *) &before;
	struct regs frame;
	int bad = 0;

	/* xorshift from the time-stamp counter: values nobody can know
	 * before the run. */
	for (int i = 0; i < 9; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		fields[i] = x;
	}
	before.eflags = (before.eflags & (FL_CF | FL_PF | FL_AF | FL_ZF |
					  FL_SF | FL_DF | FL_OF)) |
			0x2;
	set_pgfault_handler(handler);
	run_fault();

	if (handler_runs != 1)
		cprintf("faultregs: the handler ran %d times, not once\n",
			handler_runs);
	bad += handler_runs != 1;
	/* What the kernel saw at the fault. */
	frame = (struct regs){ seen.utf_regs.reg_eax, seen.utf_regs.reg_ecx,
			       seen.utf_regs.reg_edx, seen.utf_regs.reg_ebx,
			       seen.utf_regs.reg_esi, seen.utf_regs.reg_edi,
			       seen.utf_regs.reg_ebp, seen.utf_esp,
			       seen.utf_eflags };
	bad += check_regs("in the UTrapframe", &before, &frame);
	bad += check("in the UTrapframe", "fault va", FAULT_VA,
		     seen.utf_fault_va);
	bad += check("in the UTrapframe", "eip", (uint32_t) fault_insn,
		     seen.utf_eip);
	bad += check("in the UTrapframe", "err (low 3 bits)", 6,
		     seen.utf_err & 7);
	bad += check_regs("after the handler", &before, &after);
	bad += check("after the handler", "the word written", before.eax,
		     *(volatile uint32_t *) FAULT_VA);
	cprintf("faultregs: eax %08x ebx %08x ecx %08x edx %08x esi %08x "
		"edi %08x ebp %08x eflags %08x\n",
		after.eax, after.ebx, after.ecx, after.edx, after.esi,
		after.edi, after.ebp, after.eflags);
	if (bad == 0)
		cprintf("faultregs: every register and eflags survived the "
			"upcall\n");
	else
		cprintf("faultregs: %d differences\n", bad);
}
