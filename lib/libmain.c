/*
 * libmain: the C start of every user program, called by _start
 * (lib/entry.S).  It sets up what the library promises, runs the
 * program's umain, and exits when umain returns.
 */
#include <inc/lib.h>

#if LAB >= 4
/* In a page of its own (lib/user.ld), which sfork keeps private: each
 * environment's thisenv must point at its own Env. */
const volatile struct Env *thisenv
	__attribute__((section(".bss.thisenv"), aligned(PGSIZE)));
#else
const volatile struct Env *thisenv;
#endif
const char *binaryname = "<unknown>";

void
libmain(int argc, char **argv)
{
	/* Our own Env, found through our id in the read-only envs[]:
	 * no system call needed after this one. */
	thisenv = &envs[ENVX(sys_getenvid())];

	if (argc > 0)
		binaryname = argv[0];

	umain(argc, argv);
	exit();
}
