/*
 * Leaves its mark in the FPU and checks that it finds none of the
 * previous environment's.  Every run first saves the x87/SSE registers
 * with fxsave and checks they are those of a freshly reset FPU (as the
 * kernel must give a new environment), and that no x87 exception is
 * pending (fwait would raise it).  Then it loads all eight x87 and
 * eight SSE registers with its own values, changes the control words,
 * and leaves an unmasked divide-by-zero pending, makes a system call
 * and checks all of that is still its own.  Case 0 and 1 then exit
 * with the exception still pending; case 2 raises it (fwait), which
 * must destroy it with an x87 error (trap 16) - and only it.
 */
#include "hostile.h"

struct fxsave_area {
	uint8_t bytes[512];
} __attribute__((aligned(16)));

/* Offsets in the fxsave image (Intel SDM vol. 1, 10.5.1). */
#define FCW   0
#define FSW   2
#define FTW   4 /* abridged: one bit per register in use */
#define MXCSR 24
#define ST0   32  /* st0-7, 16 bytes apart */
#define XMM0  160 /* xmm0-7, 16 bytes apart */

#define FSW_ES	 0x0080 /* an unmasked exception is pending */
#define FCW_ZM	 0x0004 /* zero-divide exception masked */
#define MXCSR_RC 0x6000 /* SSE rounding control */

static struct fxsave_area area;
static const uint32_t pattern[4]
	__attribute__((aligned(16))) = { 0xdeadbeef, 0x0badcafe, 0x12345678,
					 0x9abcdef0 };

static uint32_t
word(int offset, int size)
{
	uint32_t value = 0;

	memcpy(&value, area.bytes + offset, size);
	return value;
}

static void
save(void)
{
	asm volatile("fxsave %0" : "=m"(area));
}

static int
check_clean(void)
{
	int bad = 0;

	save();
	if (word(FCW, 2) != 0x037f || word(FSW, 2) != 0 || word(FTW, 1) != 0 ||
	    word(MXCSR, 4) != 0x1f80) {
		cprintf("hostile_fpu: inherited fcw %04x fsw %04x ftw %02x "
			"mxcsr %08x\n",
			word(FCW, 2), word(FSW, 2), word(FTW, 1),
			word(MXCSR, 4));
		bad = 1;
	}
	for (int i = ST0; i < XMM0 + 8 * 16; i++)
		if (area.bytes[i] != 0) {
			cprintf("hostile_fpu: inherited a register: byte %d "
				"of the fxsave image is %02x\n",
				i, area.bytes[i]);
			bad = 1;
			break;
		}
	return bad;
}

static void
dirty(void)
{
	uint16_t fcw = 0x037f & ~FCW_ZM;
	uint32_t mxcsr = 0x1f80 | MXCSR_RC;

	asm volatile("movaps %0, %%xmm0; movaps %0, %%xmm1; movaps %0, %%xmm2;"
		     "movaps %0, %%xmm3; movaps %0, %%xmm4; movaps %0, %%xmm5;"
		     "movaps %0, %%xmm6; movaps %0, %%xmm7"
		     :
		     : "m"(pattern));
	asm volatile("ldmxcsr %0" : : "m"(mxcsr));
	/* Eight registers in use, then 1/0 with the exception unmasked:
	 * it stays pending until the next waiting x87 instruction. */
	asm volatile("fldcw %0; fld1; fld1; fld1; fld1; fld1; fld1; fldz; fld1;"
		     "fdiv %%st(1), %%st"
		     :
		     : "m"(fcw));
}

static int
check_dirty(void)
{
	save();
	if (!(word(FSW, 2) & FSW_ES) || word(FCW, 2) != (0x037f & ~FCW_ZM) ||
	    word(FTW, 1) != 0xff || word(MXCSR, 4) != (0x1f80 | MXCSR_RC) ||
	    memcmp(area.bytes + XMM0 + 7 * 16, pattern, 16) != 0) {
		cprintf("hostile_fpu: my own state changed under me: fcw %04x "
			"fsw %04x ftw %02x mxcsr %08x\n",
			word(FCW, 2), word(FSW, 2), word(FTW, 1),
			word(MXCSR, 4));
		return 1;
	}
	return 0;
}

void
umain(int argc, char **argv)
{
	int c = hostile_case(3);

	cprintf("hostile_fpu: case %d\n", c);
	if (check_clean() == 0)
		cprintf("hostile_fpu: case %d: a clean FPU\n", c);
	asm volatile("fwait");
	cprintf("hostile_fpu: case %d: no pending exception\n", c);

	dirty();
	sys_getenvid();
	if (check_dirty() == 0)
		cprintf("hostile_fpu: case %d: my FPU state survived a system "
			"call\n",
			c);
	if (c == 2) {
		asm volatile("fwait");
		cprintf("hostile_fpu: case 2: the pending exception "
			"vanished!\n");
	}
}
