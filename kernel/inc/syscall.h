/*
 * System calls: the user ABI, written here once.
 *
 * A program makes a system call with `int $0x30` (T_SYSCALL, the one
 * gate besides int3 that user mode may use), with
 *
 *	eax	the call's number (below)
 *	edx	argument 1
 *	ecx	argument 2
 *	ebx	argument 3
 *	edi	argument 4
 *	esi	argument 5
 *
 * and finds the result in eax: 0 or more, or a negative -E_* error
 * (inc/error.h).  Every other register comes back as it was.  The
 * numbers are appended, never inserted.
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
