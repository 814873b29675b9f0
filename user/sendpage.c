/*
 * sendpage: pages travel with IPC.  The parent writes a string into a
 * page and sends it to its forked child, which receives it at another
 * address; the child answers the same way.  Each checks the string and
 * the permissions it got.
 */
#include <inc/lib.h>

#define TEMP_ADDR	((char *) 0xa00000)
#define TEMP_ADDR_CHILD ((char *) 0xb00000)

static const char hello_parent[] = "hello parent, from your child";
static const char hello_child[] = "hello child, from your parent";

static void
receive(const char *expect, char *where)
{
	envid_t from;
	int perm;

	ipc_recv(&from, where, &perm);
	cprintf("%x got message from %x: %s\n", sys_getenvid(), from, where);
	if (strcmp(where, expect) != 0 || perm != (PTE_P | PTE_U | PTE_W))
		cprintf("sendpage: wrong message or permissions %x\n", perm);
	else
		cprintf("%x: the page arrived intact, perm %x\n",
			sys_getenvid(), perm);
}

void
umain(int argc, char **argv)
{
	envid_t who;

	if ((who = fork()) == 0) {
		receive(hello_child, TEMP_ADDR_CHILD);
		memcpy(TEMP_ADDR_CHILD, hello_parent, sizeof(hello_parent));
		ipc_send(thisenv->env_parent_id, 0, TEMP_ADDR_CHILD,
			 PTE_P | PTE_W | PTE_U);
		return;
	}
	sys_page_alloc(0, TEMP_ADDR, PTE_P | PTE_W | PTE_U);
	memcpy(TEMP_ADDR, hello_child, sizeof(hello_child));
	ipc_send(who, 0, TEMP_ADDR, PTE_P | PTE_W | PTE_U);
	receive(hello_parent, TEMP_ADDR);
}
