/*
 * forkcow: copy-on-write, seen from both sides.
 *
 * The parent fills a page of data, forks, and stops at a breakpoint
 * (int3: the kernel monitor), where lab4/test_lab4.py reads its page
 * tables through QEMU.  Then it lets the child go (an IPC message: the
 * stops must come in this order whatever the scheduler does), and the
 * child stops twice: right after fork, and after writing to the page.  The test
 * checks the PTEs at each stop: both read-only and PTE_COW on the same physical
 * page, then the child's writable on a page of its own.  The values printed say
 * that neither side sees the other's writes.
 */
#include <inc/lib.h>

/* Page-aligned, so the test knows which PTE to read. */
static volatile uint32_t data[PGSIZE / 4]
	__attribute__((aligned(PGSIZE))) = { 1 };

void
umain(int argc, char **argv)
{
	envid_t child;

	for (int i = 0; i < PGSIZE / 4; i++)
		data[i] = 0x1000 + i;
	cprintf("forkcow: data page at %08x\n", (uintptr_t) data);
	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		ipc_recv(NULL, NULL, NULL);
		cprintf("forkcow: child before writing\n");
		asm volatile("int3");
		data[7] = 0xC41D;
		cprintf("forkcow: child after writing\n");
		asm volatile("int3");
		cprintf("forkcow: child sees %x\n", data[7]);
		ipc_send(thisenv->env_parent_id, 0, NULL, 0);
		return;
	}
	cprintf("forkcow: parent after fork\n");
	asm volatile("int3");
	ipc_send(child, 0, NULL, 0);
	ipc_recv(NULL, NULL, NULL);
	cprintf("forkcow: parent sees %x\n", data[7]);
}
