/*
 * primespipe [limit]: the primes below limit (1000 by default) through
 * a chain of pipes, one environment per prime: each reads numbers from
 * its left, prints the first as its prime, and passes on to a new right
 * neighbour those its prime does not divide.
 */
#include <inc/lib.h>

static void
sieve(int left)
{
	int prime, n, r, p[2];
	envid_t right = 0;
	int right_fd = -1;

	for (;;) {
		if ((r = readn(left, &prime, sizeof(prime))) != sizeof(prime)) {
			if (r < 0)
				panic("sieve: read: %e", r);
			return;		/* no number: nothing left */
		}
		cprintf("prime %d\n", prime);
		for (;;) {
			if ((r = readn(left, &n, sizeof(n))) != sizeof(n)) {
				if (r < 0)
					panic("sieve %d: read: %e", prime, r);
				if (right_fd >= 0) {
					close(right_fd);
					wait(right);
				}
				return;
			}
			if (n % prime == 0)
				continue;
			if (right_fd < 0) {
				if ((r = pipe(p)) < 0)
					panic("pipe: %e", r);
				if ((right = fork()) < 0)
					panic("fork: %e", right);
				if (right == 0) {
					close(left);
					close(p[1]);
					left = p[0];
					goto next_prime;
				}
				close(p[0]);
				right_fd = p[1];
			}
			if ((r = write(right_fd, &n, sizeof(n))) != sizeof(n))
				panic("sieve %d: write returned %d", prime, r);
		}
next_prime:
		continue;
	}
}

void
umain(int argc, char **argv)
{
	int limit = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
	int p[2], r;
	envid_t id;

	binaryname = "primespipe";
	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	if ((id = fork()) < 0)
		panic("fork: %e", id);
	if (id == 0) {
		close(p[1]);
		sieve(p[0]);
		exit();
	}
	close(p[0]);
	for (int n = 2; n < limit; n++)
		if ((r = write(p[1], &n, sizeof(n))) != sizeof(n))
			panic("generator: write returned %d", r);
	close(p[1]);
	wait(id);
	cprintf("primespipe: done below %d\n", limit);
}
