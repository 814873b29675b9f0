/*
 * Shared by testpiperace and testpiperace2: a checker environment that
 * watches one pipe while another environment (the "mover") keeps
 * adding and removing mappings of its pages (dup and close, or fork,
 * spawn and exit).  The two talk through a PTE_SHARE page, the board.
 *
 * The checker looks for two kinds of lie:
 *
 *  - pipeisclosed(read end) saying "closed" while the mover still holds
 *    the write end.  Real concurrency (two CPUs) is what exposes that.
 *
 *  - A half-done mapping change with fewer buffer mappings than
 *    descriptor mappings.  pipeisclosed's comparison is only safe
 *    because the library keeps, at every instant,
 *	refs(buffer) >= refs(read fd page) + refs(write fd page)
 *    (the buffer is mapped before a descriptor page and unmapped after
 *    it).  In "order" mode the checker reads the three counts in exact
 *    snapshots and checks that.  Exact snapshots need ONE CPU: the
 *    reads are then interrupted only by a switch to another
 *    environment, which env_runs shows.  The mover is then seen
 *    half-done only when the timer preempted it between two of its
 *    system calls, so the checker yields after each look: each look is
 *    a sample of wherever the timer stopped the mover.  The mover marks
 *    what it is doing on the board, so the checker can count how often
 *    it caught a close half done (the times it would have caught a
 *    close done in the wrong order).
 */
#ifndef USER_PIPERACE_H
#define USER_PIPERACE_H

#include <inc/lib.h>

/* What the mover is doing (board.phase). */
enum { MOVER_OTHER, MOVER_CLOSING };

struct RaceBoard {
	volatile int stop;	  /* raised by the mover before it closes */
	volatile int phase;	  /* MOVER_* */
	volatile int half_closes; /* closes the checker caught half done */
	volatile int half_other;  /* other half-done states it caught */
	volatile int samples;	  /* snapshots it took */
};

#define RACE_BOARD ((struct RaceBoard *) 0xA0000000)

/* The board: a fresh PTE_SHARE page, so fork and spawn share it. */
static void
race_board_init(void)
{
	int r;

	if ((r = sys_page_alloc(0, (void *) RACE_BOARD,
				PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		panic("sys_page_alloc: %e", r);
}

/* The physical page number behind va (which must be mapped). */
static unsigned
race_ppn(const void *va)
{
	return PGNUM(PTE_ADDR(uvpt[PGNUM(va)]));
}

/*
 * The order check: one exact snapshot of the three reference counts
 * (read again if this environment was switched out in between).  The
 * pages are named by physical page number, so that the checker need
 * not map the write end (it must not hold it: see race_checker).
 */
static void
race_check_order(unsigned read_fd, unsigned write_fd, unsigned buffer)
{
	int runs, fds, bufs, phase, stop;

	do {
		runs = thisenv->env_runs;
		stop = RACE_BOARD->stop;
		phase = RACE_BOARD->phase;
		fds = pages[read_fd].pp_ref + pages[write_fd].pp_ref;
		bufs = pages[buffer].pp_ref;
	} while (runs != thisenv->env_runs);
	/* Once the mover closes its write end, that page may be freed
	 * and reused for anything: its count means nothing any more. */
	if (stop)
		return;
	RACE_BOARD->samples++;
	if (bufs < fds)
		panic("ORDER: the pipe's buffer has %d mappings, its "
		      "descriptor pages %d (the mover was %s)",
		      bufs, fds, phase == MOVER_CLOSING ? "closing" : "busy");
	if (bufs > fds) {
		if (phase == MOVER_CLOSING)
			RACE_BOARD->half_closes++;
		else
			RACE_BOARD->half_other++;
	}
}

/*
 * The checker's life, in a child that has both ends p[] of the pipe
 * and the board: it closes its write end (the mover keeps one), then
 * checks until the mover raises the board's stop, then waits to see
 * the mover's real close.  order: also check the mapping order (one
 * CPU only, see above).  Never returns.
 */
static void
race_checker(int p[2], bool order)
{
	struct Fd *read_fd, *write_fd;
	unsigned read_ppn, write_ppn, buffer_ppn;
	long checks = 0;

	if (fd_lookup(p[0], &read_fd) < 0 || fd_lookup(p[1], &write_fd) < 0)
		panic("race_checker: the pipe is not open");
	read_ppn = race_ppn(read_fd);
	write_ppn = race_ppn(write_fd);
	buffer_ppn = race_ppn(fd2data(read_fd));
	close(p[1]); /* the mover's copy keeps it open */
	while (RACE_BOARD->stop == 0) {
		/* First thing after a switch: pipeisclosed yields when the
		 * counts look equal, which lets the mover finish what the
		 * order check should see half done. */
		if (order)
			race_check_order(read_ppn, write_ppn, buffer_ppn);
		/* The mover raises stop before it closes: a close seen
		 * with stop still down is false. */
		if (pipeisclosed(p[0]) && RACE_BOARD->stop == 0)
			panic("RACE: the pipe looked closed after %ld checks",
			      checks);
		if (order)
			sys_yield();
		checks++;
	}
	cprintf("checker: no false close in %ld checks\n", checks);
	if (order)
		cprintf("checker: the buffer was never short of mappings; "
			"caught %d closes and %d other changes half done\n",
			RACE_BOARD->half_closes, RACE_BOARD->half_other);
	/* Now the writer closes for real: that must be seen. */
	while (!pipeisclosed(p[0]))
		sys_yield();
	cprintf("checker: saw the real close\n");
	exit();
}

/*
 * race_start: the board, a pipe p[] and the checker (a forked child
 * that never returns from here).  Returns the checker's id to the
 * mover, which holds both ends.
 */
static envid_t
race_start(int p[2], bool order)
{
	envid_t checker;
	int r;

	race_board_init();
	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	if ((checker = fork()) < 0)
		panic("fork: %e", checker);
	if (checker == 0)
		race_checker(p, order);
	return checker;
}

/* race_finish: the mover's real close, then the checker's end. */
static void
race_finish(int p[2], envid_t checker)
{
	RACE_BOARD->stop = 1;
	close(p[1]);
	close(p[0]);
	wait(checker);
}

#endif /* !USER_PIPERACE_H */
