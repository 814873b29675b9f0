/*
 * System call stubs, one per call (the register ABI is in
 * inc/syscall.h).
 *
 * Every error goes back to the caller as the negative -E_* value the
 * kernel returned: a program tests `r < 0` itself and decides what a
 * failure means to it.  A stub panics only on what cannot happen, a
 * positive result from a call whose success is 0 (`check`): that would
 * mean that the kernel and the library disagree about the ABI.
 */
#include <inc/lib.h>

static inline int32_t
syscall(int num, bool check, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
	uint32_t a5)
{
	int32_t ret;

	/* "memory": the kernel may read or write memory we pass it, so
	 * the compiler must not keep those values in registers across
	 * the call.  "cc": the flags do not survive it either. */
	asm volatile("int %1\n"
		     : "=a"(ret)
		     : "i"(T_SYSCALL), "a"(num), "d"(a1), "c"(a2), "b"(a3),
		       "D"(a4), "S"(a5)
		     : "cc", "memory");

	if (check && ret > 0)
		panic("system call %d returned %d, which it never does", num,
		      ret);
	return ret;
}

void
sys_cputs(const char *s, size_t len)
{
	syscall(SYS_cputs, 0, (uint32_t) s, len, 0, 0, 0);
}

int
sys_cgetc(void)
{
	return syscall(SYS_cgetc, 0, 0, 0, 0, 0, 0);
}

int
sys_env_destroy(envid_t envid)
{
	return syscall(SYS_env_destroy, 1, envid, 0, 0, 0, 0);
}

envid_t
sys_getenvid(void)
{
	return syscall(SYS_getenvid, 0, 0, 0, 0, 0, 0);
}

#if LAB >= 4
void
sys_yield(void)
{
	syscall(SYS_yield, 0, 0, 0, 0, 0, 0);
}

int
sys_page_alloc(envid_t envid, void *va, int perm)
{
	return syscall(SYS_page_alloc, 1, envid, (uint32_t) va, perm, 0, 0);
}

int
sys_page_map(envid_t srcenv, void *srcva, envid_t dstenv, void *dstva, int perm)
{
	return syscall(SYS_page_map, 1, srcenv, (uint32_t) srcva, dstenv,
		       (uint32_t) dstva, perm);
}

int
sys_page_unmap(envid_t envid, void *va)
{
	return syscall(SYS_page_unmap, 1, envid, (uint32_t) va, 0, 0, 0);
}

int
sys_env_set_status(envid_t envid, int status)
{
	return syscall(SYS_env_set_status, 1, envid, status, 0, 0, 0);
}

int
sys_env_set_trapframe(envid_t envid, struct Trapframe *tf)
{
	return syscall(SYS_env_set_trapframe, 1, envid, (uint32_t) tf, 0, 0, 0);
}

int
sys_env_set_pgfault_upcall(envid_t envid, void *upcall)
{
	return syscall(SYS_env_set_pgfault_upcall, 1, envid, (uint32_t) upcall,
		       0, 0, 0);
}

int
sys_ipc_try_send(envid_t envid, uint32_t value, void *srcva, int perm)
{
	return syscall(SYS_ipc_try_send, 0, envid, value, (uint32_t) srcva,
		       perm, 0);
}

int
sys_ipc_recv(void *dstva)
{
	return syscall(SYS_ipc_recv, 1, (uint32_t) dstva, 0, 0, 0, 0);
}

int
sys_ipc_call(envid_t to, uint32_t value, void *srcva, int perm, void *dstva)
{
	return syscall(SYS_ipc_call, 1, to, value, (uint32_t) srcva, perm,
		       (uint32_t) dstva);
}

int
sys_ipc_reply_recv(envid_t to, uint32_t value, void *srcva, int perm,
		   void *dstva)
{
	return syscall(SYS_ipc_reply_recv, 1, to, value, (uint32_t) srcva, perm,
		       (uint32_t) dstva);
}
#endif
