/*
 * fairness: the scheduler starves no one.  The parent receives
 * MESSAGES messages from a child that sends as fast as ipc_send lets
 * it; meanwhile a second child only counts how often it runs (each
 * time, it yields).  Round-robin scheduling must run the counter
 * between messages: the parent reads its count, through a page the
 * two share (PTE_SHARE: fork maps it shared, not copy-on-write), and
 * says how many times it ran.
 */
#include <inc/lib.h>

#define MESSAGES 200
#define SHARED	 ((volatile uint32_t *) 0x00A00000)

void
umain(int argc, char **argv)
{
	envid_t me = sys_getenvid(), sender, counter, from;
	uint32_t start;
	int r;

	if ((r = sys_page_alloc(0, (void *) SHARED,
				PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		panic("sys_page_alloc: %e", r);
	if ((sender = fork()) == 0) {
		for (uint32_t i = 0;; i++)
			ipc_send(me, i, NULL, 0);
	}
	if ((counter = fork()) == 0) {
		for (;;) {
			(*SHARED)++;
			sys_yield();
		}
	}
	if (sender < 0 || counter < 0)
		panic("fork: %e", sender < 0 ? sender : counter);
	start = *SHARED;
	for (uint32_t n = 0; n < MESSAGES; n++) {
		uint32_t v = ipc_recv(&from, NULL, NULL);
		if (v != n || from != sender)
			panic("fairness: message %u from %x, expected %u from "
			      "%x",
			      v, from, n, sender);
	}
	cprintf("fairness: %d messages received in order; meanwhile the "
		"counter ran %s\n",
		MESSAGES,
		*SHARED - start >= MESSAGES / 2 ? "between them"
						: "too seldom");
	sys_env_destroy(sender);
	sys_env_destroy(counter);
}
