/*
 * System call numbers: part of the user ABI.  New calls are appended,
 * never inserted.
 *
 * The register ABI, for every call: `int $0x30` (T_SYSCALL) with the
 * call's number in eax and its arguments 1-5 in edx, ecx, ebx, edi and
 * esi; the result comes back in eax, negative (-E_*) for an error.
 * Other registers survive the call.
 */
#ifndef INC_SYSCALL_H
#define INC_SYSCALL_H

enum {
	/* Lab 3 */
	SYS_cputs = 0,
	SYS_cgetc,
	SYS_getenvid,
	SYS_env_destroy,
	/* Lab 4: the JOS calls, in JOS's order. */
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
	/*
	 * Lab 4, ExoLab's own (docs/ipc.md): send and then receive in one
	 * kernel entry, switching straight to the receiver.
	 *   ipc_call(to, value, srcva, perm, dstva): send to `to`, then
	 *     wait for a message from `to` only (a client's request and
	 *     its reply);
	 *   ipc_reply_recv(to, value, srcva, perm, dstva): send to `to`,
	 *     then wait for a message from anyone (a server's reply and
	 *     its next request).
	 * Arguments as ipc_try_send's, then ipc_recv's dstva.  An error
	 * means nothing was sent and nothing awaited.
	 */
	SYS_ipc_call,
	SYS_ipc_reply_recv,
	NSYSCALLS
};

#endif /* !INC_SYSCALL_H */
