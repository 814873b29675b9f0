/*
 * primes: the concurrent prime sieve (after Doug McIlroy's pipeline of
 * processes).  The first environment feeds 2, 3, 4, ... to a child;
 * each environment in the chain prints the first number it receives,
 * a prime p, forks the next stage, and passes on only the numbers p
 * does not divide.  Runs until the environments run out.
 */
#include <inc/lib.h>

static void __attribute__((noreturn)) sieve(void)
{
	envid_t from, next;
	uint32_t p, n;

top:
	p = ipc_recv(&from, NULL, NULL);
	cprintf("CPU %d: %d\n", thisenv->env_cpunum, p);
	if ((next = fork()) < 0)
		panic("fork: %e", next);
	if (next == 0)
		goto top;
	for (;;) {
		n = ipc_recv(&from, NULL, NULL);
		if (n % p)
			ipc_send(next, n, NULL, 0);
	}
}

void
umain(int argc, char **argv)
{
	envid_t child;

	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0)
		sieve();
	for (uint32_t i = 2;; i++)
		ipc_send(child, i, NULL, 0);
}
