/*
 * Raises one software interrupt, `int $N`, for N = 0..255: run 256
 * times in a row, the program tries every vector.  Only int3
 * (a breakpoint: the monitor's `continue` resumes us) and T_SYSCALL
 * have gates that user code may use; every other `int $N` must be a
 * general protection fault whose error code names the gate (N * 8 + 2),
 * never a fake exception or interrupt, and must destroy only us.
 */
#include "hostile.h"

/* The int instruction encodes its vector as an immediate, so each run
 * builds its own: int $N; ret. */
static uint8_t code[4];

void
umain(int argc, char **argv)
{
	int vector = hostile_case(256);
	int eax = -1; /* as a system call number: none */

	code[0] = 0xcd;
	code[1] = vector;
	code[2] = 0xc3;
	cprintf("hostile_int: int $%d\n", vector);
	asm volatile("call *%1" : "+a"(eax) : "r"(code) : "memory", "cc");
	cprintf("hostile_int: survived int $%d, eax %d\n", vector, eax);
}
