/*
 * Inter-process communication in the library OS: the conventions on
 * top of the kernel's two primitives, sys_ipc_try_send (never blocks)
 * and sys_ipc_recv (blocks), and ExoLab's combined calls (docs/ipc.md).
 */
#include <inc/lib.h>

/*
 * ipc_recv: wait for a message and return its 32-bit value (lab 4,
 * exercise 15).
 *
 * pg, if not NULL, is where a page sent along may be mapped (NULL: no
 * page wanted; the kernel takes any address >= UTOP to mean that).
 * If from_env_store is not NULL, *from_env_store gets the sender's
 * envid; if perm_store is not NULL, *perm_store gets the permissions
 * of the page received (0 if none was).
 *
 * On an error from the kernel, both stores get 0 and the error is
 * returned.
 *
 * Hint: after sys_ipc_recv, the message is in thisenv's env_ipc_*
 * fields.
 */
int32_t
ipc_recv(envid_t *from_env_store, void *pg, int *perm_store)
{
#if SOL >= 4
	int r = sys_ipc_recv(pg != NULL ? pg : (void *) UTOP);

	if (from_env_store != NULL)
		*from_env_store = r < 0 ? 0 : thisenv->env_ipc_from;
	if (perm_store != NULL)
		*perm_store = r < 0 ? 0 : thisenv->env_ipc_perm;
	return r < 0 ? r : (int32_t) thisenv->env_ipc_value;
#else
	/* LAB 4: Your code here (exercise 15). */
	panic("ipc_recv: not implemented (lab 4, exercise 15)");
#endif
}

/*
 * ipc_send: send `value` (and the page at pg with permissions perm,
 * if pg is not NULL) to to_env, waiting until it receives (lab 4,
 * exercise 15).
 *
 * sys_ipc_try_send fails with -E_IPC_NOT_RECV while to_env is not
 * waiting: give up the CPU (sys_yield) and try again.  Any other error
 * is the caller's bug: panic.
 */
void
ipc_send(envid_t to_env, uint32_t value, void *pg, int perm)
{
#if SOL >= 4
	int r;

	while ((r = sys_ipc_try_send(to_env, value,
				     pg != NULL ? pg : (void *) UTOP, perm)) ==
	       -E_IPC_NOT_RECV)
		sys_yield();
	if (r < 0)
		panic("ipc_send to %08x: %e", to_env, r);
#else
	/* LAB 4: Your code here (exercise 15). */
	panic("ipc_send: not implemented (lab 4, exercise 15)");
#endif
}

/*
 * ipc_find_env: the id of the first environment of the given type
 * (ENV_TYPE_FS: the file server), found in the read-only envs[]; 0 if
 * there is none.
 */
envid_t
ipc_find_env(enum EnvType type)
{
	for (int i = 0; i < NENV; i++)
		if (envs[i].env_type == type && envs[i].env_status != ENV_FREE)
			return envs[i].env_id;
	return 0;
}

/*
 * ipc_call: send a request to a server and wait for its reply, in one
 * kernel entry (sys_ipc_call): a client's remote procedure call.
 * value, pg and perm are the request, as in ipc_send; rcv_pg and
 * perm_store are for the reply, as ipc_recv's pg and perm_store; only
 * to_env's reply is accepted.  Returns the reply's value.
 *
 * While the server is busy (not waiting), retries after sys_yield, as
 * ipc_send does; any other error panics.
 */
int32_t
ipc_call(envid_t to_env, uint32_t value, void *pg, int perm, void *rcv_pg,
	 int *perm_store)
{
	int r;

	while ((r = sys_ipc_call(to_env, value, pg != NULL ? pg : (void *) UTOP,
				 perm,
				 rcv_pg != NULL ? rcv_pg : (void *) UTOP)) ==
	       -E_IPC_NOT_RECV)
		sys_yield();
	if (r < 0)
		panic("ipc_call to %08x: %e", to_env, r);
	if (perm_store != NULL)
		*perm_store = thisenv->env_ipc_perm;
	return thisenv->env_ipc_value;
}

/*
 * ipc_reply_recv: a server's reply to to_env and its wait for the next
 * request, in one kernel entry (sys_ipc_reply_recv).  The reply is
 * value, pg and perm, as in ipc_send; the request arrives as in
 * ipc_recv (from_env_store, rcv_pg, perm_store), from anyone, and its
 * value is returned.
 *
 * A client that is not waiting yet is waited for (sys_yield and
 * retry); a client that no longer exists (-E_BAD_ENV) loses its reply,
 * and the server just waits for the next request.
 */
int32_t
ipc_reply_recv(envid_t to_env, uint32_t value, void *pg, int perm,
	       envid_t *from_env_store, void *rcv_pg, int *perm_store)
{
	void *dstva = rcv_pg != NULL ? rcv_pg : (void *) UTOP;
	int r;

	while ((r = sys_ipc_reply_recv(to_env, value,
				       pg != NULL ? pg : (void *) UTOP, perm,
				       dstva)) == -E_IPC_NOT_RECV)
		sys_yield();
	if (r == -E_BAD_ENV)
		r = sys_ipc_recv(dstva);
	if (r < 0)
		panic("ipc_reply_recv to %08x: %e", to_env, r);
	if (from_env_store != NULL)
		*from_env_store = thisenv->env_ipc_from;
	if (perm_store != NULL)
		*perm_store = thisenv->env_ipc_perm;
	return thisenv->env_ipc_value;
}
