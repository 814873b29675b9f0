/*
 * primespipe [limit]: the primes below limit (1000 by default) through
 * a chain of pipes, one environment per prime: each reads numbers from
 * its left, prints the first as its prime, and passes on to a new right
 * neighbour those its prime does not divide.
 *
 * Numbers travel in batches (as many as one read returns): a pipe that
 * is empty or full makes its environment yield, and with a hundred and
 * more environments in the chain, one number per read would spend
 * nearly all the time going round the scheduler.
 */
#include <inc/lib.h>

#define BATCH 512

/* Reads whole ints: up to max of them, at least one; 0 at the end. */
static int
read_ints(int fd, int *buf, int max)
{
	int n = read(fd, buf, max * sizeof(int));

	if (n < 0)
		panic("primespipe: read: %e", n);
	/* A partial int: the rest of it is on its way. */
	if (n % sizeof(int) != 0) {
		int r = readn(fd, (char *) buf + n,
			      sizeof(int) - n % sizeof(int));
		if (r < 0)
			panic("primespipe: read: %e", r);
		n += r;
	}
	return n / sizeof(int);
}

static void
write_ints(int fd, const int *buf, int count)
{
	int r = write(fd, buf, count * sizeof(int));

	if (r != (int) (count * sizeof(int)))
		panic("primespipe: write returned %d", r);
}

/*
 * One sieve: runs until its left pipe ends, then returns -1.  In the
 * child it forks, it returns instead the child's left fd: the child then
 * starts its own sieve (a loop in umain, not recursion: a chain of 168
 * nested calls would not fit on the one-page stack).
 */
static int
sieve(int left)
{
	static int in[BATCH], out[BATCH];
	int prime = 0, p[2], r, n, right_fd = -1;
	envid_t right = 0;

	while ((n = read_ints(left, in, BATCH)) > 0) {
		int kept = 0, i = 0;
		if (prime == 0) {
			prime = in[i++];
			cprintf("prime %d\n", prime);
		}
		for (; i < n; i++)
			if (in[i] % prime != 0)
				out[kept++] = in[i];
		if (kept == 0)
			continue;
		if (right_fd < 0) {
			if ((r = pipe(p)) < 0)
				panic("pipe: %e", r);
			if ((right = fork()) < 0)
				panic("fork: %e", right);
			if (right == 0) {
				/* The child: the next sieve, reading this pipe.
				 */
				close(left);
				close(p[1]);
				return p[0];
			}
			close(p[0]);
			right_fd = p[1];
		}
		write_ints(right_fd, out, kept);
	}
	if (right_fd >= 0) {
		close(right_fd);
		wait(right);
	}
	return -1;
}

void
umain(int argc, char **argv)
{
	static int numbers[BATCH];
	int limit = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
	int p[2], r, count = 0;
	envid_t id;

	binaryname = "primespipe";
	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	if ((id = fork()) < 0)
		panic("fork: %e", id);
	if (id == 0) {
		int left = p[0];
		close(p[1]);
		while ((left = sieve(left)) >= 0)
			continue;
		exit();
	}
	close(p[0]);
	for (int n = 2; n < limit; n++) {
		numbers[count++] = n;
		if (count == BATCH || n == limit - 1) {
			write_ints(p[1], numbers, count);
			count = 0;
		}
	}
	close(p[1]);
	wait(id);
	cprintf("primespipe: done below %d\n", limit);
}
