/*
 * Executes one privileged instruction per run (run it once per case,
 * in a row).  At CPL 3 with IOPL 0 each must be a general protection
 * fault (or an invalid opcode) that destroys only this environment.
 */
#include "hostile.h"

static const char *const cases[] = {
	"cli",	      "sti",	      "hlt",	    "inb",	  "outb",
	"insb",	      "lgdt",	      "lidt",	    "ltr",	  "lldt",
	"mov to cr0", "mov from cr0", "mov to cr3", "mov to cr4", "mov to dr7",
	"clts",	      "lmsw",	      "invlpg",	    "wbinvd",	  "rdmsr",
	"wrmsr",      "popf IOPL",
};

void
umain(int argc, char **argv)
{
	int c = hostile_case(ARRAY_SIZE(cases));
	static uint8_t table[8];

	cprintf("hostile_priv: case %d: %s\n", c, cases[c]);
	switch (c) {
	case 0:
		asm volatile("cli");
		break;
	case 1:
		asm volatile("sti");
		break;
	case 2:
		asm volatile("hlt");
		break;
	case 3:
		asm volatile("inb $0x60, %%al" : : : "eax");
		break;
	/* Unmasking the timer at the PIC would be the first step to
	 * interrupting the kernel. */
	case 4:
		asm volatile("movb $0, %%al; outb %%al, $0x21" : : : "eax");
		break;
	case 5:
		asm volatile("movl %0, %%edi; movw $0x60, %%dx; insb"
			     :
			     : "r"(table)
			     : "edi", "edx", "memory");
		break;
	case 6:
		asm volatile("lgdt %0" : : "m"(table));
		break;
	case 7:
		asm volatile("lidt %0" : : "m"(table));
		break;
	case 8:
		asm volatile("ltr %%ax" : : "a"(GD_TSS0));
		break;
	case 9:
		asm volatile("lldt %%ax" : : "a"(0));
		break;
	case 10:
		asm volatile("movl $0, %%eax; movl %%eax, %%cr0" : : : "eax");
		break;
	case 11:
		asm volatile("movl %%cr0, %%eax" : : : "eax");
		break;
	case 12:
		asm volatile("movl $0, %%eax; movl %%eax, %%cr3" : : : "eax");
		break;
	case 13:
		asm volatile("movl $0, %%eax; movl %%eax, %%cr4" : : : "eax");
		break;
	case 14:
		asm volatile("movl $0x400, %%eax; movl %%eax, %%dr7"
			     :
			     :
			     : "eax");
		break;
	case 15:
		asm volatile("clts");
		break;
	case 16:
		asm volatile("lmsw %%ax" : : "a"(0));
		break;
	case 17:
		asm volatile("invlpg (%0)" : : "r"(0xf0000000));
		break;
	case 18:
		asm volatile("wbinvd");
		break;
	case 19:
		asm volatile("rdmsr" : : "c"(0x1b) : "eax", "edx");
		break;
	case 20:
		asm volatile("wrmsr" : : "c"(0x1b), "a"(0), "d"(0));
		break;
	case 21: {
		/* Not a fault: popf at CPL 3 silently keeps IOPL and IF as
		 * they were (IF is off in lab 3, on from lab 4: flip it).
		 * Then an out must still fault. */
		uint32_t before = read_eflags();
		write_eflags((before | FL_IOPL_3) ^ FL_IF);
		uint32_t after = read_eflags();
		cprintf("hostile_priv: after popf, IOPL %d, IF %s\n",
			(after & FL_IOPL_MASK) >> 12,
			(after ^ before) & FL_IF ? "changed!" : "unchanged");
		asm volatile("movb $0, %%al; outb %%al, $0x21" : : : "eax");
		break;
	}
	}
	cprintf("hostile_priv: case %d (%s) did not trap!\n", c, cases[c]);
}
