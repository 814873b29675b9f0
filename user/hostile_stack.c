/*
 * System calls and traps with stack pointers no kernel would choose.
 * A trap from user mode switches to the kernel stack before it pushes
 * anything, so the user's esp must not matter: a system call made with
 * esp at 0, odd, in the kernel's half, or at the very top of memory
 * still works.  Then the program pushes onto a kernel address and must
 * be destroyed by the resulting page fault.
 */
#include "hostile.h"

/* getenvid with the stack pointer set to esp; esp is restored after. */
static envid_t
getenvid_with_esp(uint32_t esp)
{
	envid_t id;

	asm volatile(
		"movl %%esp, %%ebx; movl %2, %%esp; int %3; movl %%ebx, %%esp"
		: "=a"(id)
		: "a"(SYS_getenvid), "r"(esp), "i"(T_SYSCALL)
		: "ebx", "memory", "cc");
	return id;
}

void
umain(int argc, char **argv)
{
	static const uint32_t stacks[] = {
		0,	    1,		3,	    0x7ffffff,
		0xeebfdfff, 0xeebfe001, 0xef000000, 0xf0000000,
		0xf0100003, 0xfffffffc, 0xffffffff,
	};
	int ok = 0;

	for (size_t i = 0; i < ARRAY_SIZE(stacks); i++) {
		envid_t id = getenvid_with_esp(stacks[i]);
		if (id == thisenv->env_id)
			ok++;
		else
			cprintf("hostile_stack: getenvid with esp %08x "
				"returned "
				"%08x\n",
				stacks[i], id);
	}
	cprintf("hostile_stack: %d of %d system calls with odd stack "
		"pointers answered right\n",
		ok, (int) ARRAY_SIZE(stacks));
	/* Push onto the kernel's memory: a user page fault. */
	asm volatile("movl $0xf0001000, %%esp; pushl $0" : : : "memory");
	cprintf("hostile_stack: pushed onto the kernel!\n");
}
