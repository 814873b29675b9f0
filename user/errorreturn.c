/*
 * errorreturn: the library's system call stubs hand every error back
 * to the caller (lib/syscall.c), as the API's error rules assume:
 * destroying an environment that does not exist returns -E_BAD_ENV,
 * and the program goes on.  (lab 4's user/syserrors does the same for
 * every lab 4 call.)
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	cprintf("errorreturn: sys_env_destroy(0x7fffffff) = %d\n",
		sys_env_destroy(0x7fffffff));
	cprintf("errorreturn: sys_env_destroy(-1) = %d\n", sys_env_destroy(-1));
	cprintf("errorreturn: still running\n");
}
