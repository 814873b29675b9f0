/*
 * ipccall: ExoLab's combined IPC calls (docs/ipc.md).
 *
 * The parent is a client; it forks a server and an intruder.
 *   - The server answers each request v with 3v + 1 through
 *     ipc_reply_recv; requests with a page get the page back with the
 *     string in it reversed.
 *   - The client makes CALLS calls with ipc_call, checking every reply,
 *     then one with a page.
 *   - The intruder keeps trying to send to the client (sys_ipc_try_send):
 *     while the client waits in ipc_call, only the server may answer,
 *     so every try must fail with -E_IPC_NOT_RECV.  At the end the
 *     client does a plain ipc_recv, which the intruder's message must
 *     reach.
 */
#include <inc/lib.h>

#define CALLS	    1000
#define PAGE	    ((char *) 0x00A00000)
#define SERVER_PAGE ((char *) 0x00B00000)
#define DONE	    0xFFFFFFFF

static void __attribute__((noreturn)) server(void)
{
	envid_t client;
	int perm;
	uint32_t v = ipc_recv(&client, SERVER_PAGE, &perm);

	for (;;) {
		if (v == DONE)
			exit();
		if (perm) {
			/* Reverse the string in place and send the page back.
			 */
			size_t n = strlen(SERVER_PAGE);
			for (size_t i = 0; i < n / 2; i++) {
				char c = SERVER_PAGE[i];
				SERVER_PAGE[i] = SERVER_PAGE[n - 1 - i];
				SERVER_PAGE[n - 1 - i] = c;
			}
			v = ipc_reply_recv(client, v * 3 + 1, SERVER_PAGE,
					   PTE_P | PTE_U | PTE_W, &client,
					   SERVER_PAGE, &perm);
		} else {
			/* Now and then, let the others run while the client
			 * waits: the intruder then finds it waiting. */
			if (v % 100 == 99)
				sys_yield();
			v = ipc_reply_recv(client, v * 3 + 1, NULL, 0, &client,
					   SERVER_PAGE, &perm);
		}
	}
}

static void __attribute__((noreturn)) intruder(envid_t client)
{
	const volatile struct Env *c = &envs[ENVX(client)];
	int refused = 0, r;

	for (;;) {
		/* Waiting in ipc_call: receiving, from the server only. */
		bool closed = c->env_ipc_recving && c->env_ipc_recv_from != 0;

		r = sys_ipc_try_send(client, 42, (void *) UTOP, 0);
		if (r == 0 && closed)
			cprintf("ipccall: the intruder's message reached a "
				"client waiting for its server\n");
		if (r == 0)
			break;
		if (r != -E_IPC_NOT_RECV)
			panic("intruder: %e", r);
		refused += closed;
		sys_yield();
	}
	cprintf("ipccall: the intruder was refused %s while the client "
		"waited for its server, then got through\n",
		refused > 0 ? "every time"
			    : "never (it never found it waiting)");
	exit();
}

void
umain(int argc, char **argv)
{
	envid_t me = sys_getenvid(), srv, intr, from;
	int bad = 0, perm;
	uint32_t r;

	if ((srv = fork()) == 0)
		server();
	if ((intr = fork()) == 0)
		intruder(me);
	for (uint32_t i = 0; i < CALLS; i++) {
		r = ipc_call(srv, i, NULL, 0, NULL, NULL);
		if (r != i * 3 + 1 || thisenv->env_ipc_from != srv) {
			cprintf("ipccall: call %u: reply %u from %x\n", i, r,
				thisenv->env_ipc_from);
			bad++;
		}
	}
	cprintf("ipccall: %d calls, %d wrong replies\n", CALLS, bad);

	sys_page_alloc(0, PAGE, PTE_P | PTE_U | PTE_W);
	strcpy(PAGE, "exokernel");
	r = ipc_call(srv, 7, PAGE, PTE_P | PTE_U | PTE_W, PAGE, &perm);
	cprintf("ipccall: page reply %u, perm %x: %s\n", r, perm, PAGE);

	/* The server ends; then an open receive lets the intruder in. */
	ipc_send(srv, DONE, NULL, 0);
	r = ipc_recv(&from, NULL, NULL);
	cprintf("ipccall: open receive got %u from %s\n", r,
		from == intr ? "the intruder" : "someone else");
	(void) me;
}
