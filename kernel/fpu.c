/*
 * The x87 FPU and SSE registers belong to the environment using them.
 *
 * The kernel itself never touches them (it is built with -mno-sse
 * -mno-80387), so the registers a CPU holds are those of the last
 * environment it ran.  Left alone, the next environment would read its
 * predecessor's numbers, and an x87 exception the predecessor left
 * pending would strike the next innocent floating-point instruction.
 *
 * So each environment has a 512-byte save area (the FXSAVE image:
 * control, status and tag words, MXCSR, st0-7, xmm0-7), and the
 * registers are switched with the environment, by fpu_switch() in
 * env_run.
 *
 * Why eagerly, on every switch, and not lazily (CR0.TS, saving only
 * when the next environment touches the FPU, on its #NM trap)?
 *  - A system call that returns to the same environment costs nothing
 *    either way: env_run sees the same environment and skips the switch.
 *  - Lazy switching leaves an environment's registers in a CPU after
 *    the environment has stopped there.  With several CPUs (lab 4) the
 *    environment may next run on another CPU, which must first get the
 *    registers out of the first: cross-CPU requests for a saving of a
 *    few hundred cycles.  Eagerly, the state is always in memory once
 *    the environment is off the CPU.
 * The invariant: a CPU's FPU registers hold the state of that CPU's
 * curenv (none of interest when curenv is NULL).  Whoever makes
 * curenv stop being current without destroying it (env_run switching
 * away, the scheduler going idle) calls fpu_switch first.
 *
 * The save areas are a kernel-only array, not fields of struct Env:
 * envs[] is mapped for every environment to read at UENVS.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/env.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <kernel/env.h>
#include <kernel/fpu.h>

/* FXSAVE needs a 16-byte aligned area of 512 bytes. */
struct fpu_state {
	uint8_t image[512];
} __attribute__((aligned(16)));

static struct fpu_state env_fpu[NENV];

#define CPUID_FXSR     (1 << 24)  /* cpuid 1, edx: FXSAVE/FXRSTOR */
#define CR4_OSFXSR     0x00000200 /* the OS saves SSE state with FXSAVE */
#define CR4_OSXMMEXCPT 0x00000400 /* SSE exceptions are #XM (19) */

/* Offsets in the FXSAVE image (Intel SDM vol. 1, 10.5.1). */
#define FXSAVE_FCW   0	/* x87 control word */
#define FXSAVE_MXCSR 24 /* SSE control and status */

/* What FNINIT leaves: all x87 exceptions masked, 64-bit precision,
 * round to nearest; and MXCSR's reset value, all SSE exceptions
 * masked.  Everything else (registers, status, tags: all empty) is 0. */
#define FCW_INIT   0x037F
#define MXCSR_INIT 0x1F80

void
fpu_init_percpu(void)
{
	uint32_t edx;

	cpuid(1, NULL, NULL, NULL, &edx);
	if (!(edx & CPUID_FXSR))
		panic("fpu: this CPU has no FXSAVE/FXRSTOR");
	/* The FPU is present and usable (no EM, no TS), WAIT obeys TS
	 * (MP), and x87 errors are exceptions (#MF, vector 16), not the
	 * PC's legacy IRQ 13 (NE). */
	lcr0((rcr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	/* Let user code use SSE; its exceptions are #XM, not #UD. */
	lcr4(rcr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

/* Gives a new environment the registers of a freshly reset FPU. */
void
fpu_reset(struct Env *e)
{
	uint8_t *image = env_fpu[e - envs].image;
	uint16_t fcw = FCW_INIT;
	uint32_t mxcsr = MXCSR_INIT;

	memset(image, 0, sizeof(env_fpu[0].image));
	memcpy(image + FXSAVE_FCW, &fcw, sizeof(fcw));
	memcpy(image + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
}

/*
 * The CPU stops running `from` and will run `to` (either may be NULL):
 * save the registers into from's area, load to's.  FXSAVE and FXRSTOR
 * do not wait for pending x87 exceptions, so one that `from` left
 * pending is saved with it, and never raised for `to`.
 */
void
fpu_switch(struct Env *from, struct Env *to)
{
	if (from == to)
		return;
	if (from != NULL)
		asm volatile("fxsave %0" : "=m"(env_fpu[from - envs]));
	if (to != NULL)
		asm volatile("fxrstor %0" : : "m"(env_fpu[to - envs]));
}
