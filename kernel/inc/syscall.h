/*
 * System call numbers: part of the user ABI (the numbers go in %eax).
 * New calls are appended, never inserted.
 */
#ifndef INC_SYSCALL_H
#define INC_SYSCALL_H

enum {
	/* Lab 3 */
	SYS_cputs = 0,
	SYS_cgetc,
	SYS_getenvid,
	SYS_env_destroy,
	/* Lab 4 */
	SYS_page_alloc,
	SYS_page_map,
	SYS_page_unmap,
	SYS_exofork,
	SYS_env_set_status,
	SYS_env_set_trapframe,
	SYS_env_set_pgfault_upcall,
	SYS_yield,
	SYS_ipc_try_send,
	SYS_ipc_recv,
	NSYSCALLS
};

#endif /* !INC_SYSCALL_H */
