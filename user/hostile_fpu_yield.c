/*
 * Keeps its own values in every x87 and SSE register while it yields the
 * CPU many times; run two or more side by side (lab 4: run=a+b) so that
 * the kernel switches between them.  Each checks after every yield that
 * its registers are still its own: the kernel must save and restore
 * them on every switch (kernel/fpu.c).  In lab 3 there is no sys_yield
 * yet, and the program just checks its registers survive system calls.
 */
#include "hostile.h"

#define ROUNDS 200

struct fxsave_area {
	uint8_t bytes[512];
} __attribute__((aligned(16)));

static struct fxsave_area area;

/* sys_yield, made directly: the library declares it only from lab 4 on,
 * and in lab 3 the kernel answers -E_INVAL, which is fine here. */
static void
yield(void)
{
	int number = SYS_yield;

	asm volatile("int %1" : "+a"(number) : "i"(T_SYSCALL) : "memory", "cc");
}

void
umain(int argc, char **argv)
{
	uint32_t me = thisenv->env_id;
	uint32_t pattern[4] = { me, ~me, me ^ 0x5a5a5a5a, 42 };
	uint32_t got[4];
	uint32_t integer;
	int bad = 0;

	/* xmm0-7 get the pattern, st0 the envid as an integer. */
	asm volatile("movups %0, %%xmm0; movups %0, %%xmm7; fninit; fildl %1"
		     :
		     : "m"(pattern), "m"(me));
	for (int i = 0; i < ROUNDS && !bad; i++) {
		yield();
		asm volatile("movups %%xmm7, %0" : "=m"(got));
		asm volatile("fxsave %0" : "=m"(area));
		/* st0 as an integer, without popping it: fist. */
		asm volatile("fistl %0" : "=m"(integer));
		if (memcmp(got, pattern, sizeof(got)) != 0 || integer != me) {
			cprintf("hostile_fpu_yield: [%08x] round %d: xmm7 %08x "
				"st0 %08x: not mine!\n",
				me, i, got[0], integer);
			bad = 1;
		}
	}
	if (!bad)
		cprintf("hostile_fpu_yield: [%08x] my FPU registers survived "
			"%d "
			"yields\n",
			me, ROUNDS);
}
