/*
 * Console input and output for user programs.
 *
 * Through lab 4 a program talks to the console straight through the
 * kernel's console system calls.  From lab 5 the console is also a
 * file: devcons, a device of the file descriptor layer (lib/fd.c), so
 * that init can open it as descriptors 0 and 1, the shell can hand
 * those to every program it spawns, and a program reading fd 0 does not
 * care whether it reads the keyboard, a file or a pipe.
 */
#include <inc/lib.h>

#if LAB >= 5
/* The console's device id: 'c' (devfile is 'f', devpipe 'p'). */
#define DEVCONS_ID 'c'

static ssize_t devcons_read(struct Fd *fd, void *buf, size_t n);
static ssize_t devcons_write(struct Fd *fd, const void *buf, size_t n);
static int devcons_close(struct Fd *fd);
static int devcons_stat(struct Fd *fd, struct Stat *stat);

struct Dev devcons = {
	.dev_id = DEVCONS_ID,
	.dev_name = "cons",
	.dev_read = devcons_read,
	.dev_write = devcons_write,
	.dev_close = devcons_close,
	.dev_stat = devcons_stat,
};
#endif

void
cputchar(int ch)
{
	char c = ch;

	/* Straight to the kernel even in lab 5: cputchar works before
	 * any descriptor is open, and from a program with none. */
	sys_cputs(&c, 1);
}

#if LAB >= 5
/*
 * getchar: one character from standard input (fd 0), whatever it is:
 * the console, a file, a pipe.  Returns it, -E_EOF at the end of the
 * input, or another negative error.
 */
int
getchar(void)
{
	unsigned char c;
	int r;

	/* With fd 0 closed (a program the kernel started directly), the
	 * console itself: the program still gets its keyboard. */
	if ((r = read(0, &c, 1)) == -E_INVAL) {
		while ((r = sys_cgetc()) == 0)
			sys_yield();
		return r;
	}
	if (r < 0)
		return r;
	if (r == 0)
		return -E_EOF;
	return c;
}

/* iscons: whether descriptor fdnum is the console (readline echoes
 * only then: a script read from a file should not be printed). */
int
iscons(int fdnum)
{
	struct Fd *fd;

	if (fd_lookup(fdnum, &fd) < 0)
		return fdnum == 0; /* no fd 0: getchar reads the console */
	return fd->fd_dev_id == DEVCONS_ID;
}

/* opencons: a new descriptor on the console.  Returns its number, or
 * -E_MAX_OPEN / -E_NO_MEM. */
int
opencons(void)
{
	struct Fd *fd;
	int r;

	if ((r = fd_alloc(&fd)) < 0)
		return r;
	/* PTE_SHARE: a child inherits the descriptor itself, not a copy. */
	if ((r = sys_page_alloc(0, fd, PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		return r;
	fd->fd_dev_id = DEVCONS_ID;
	fd->fd_omode = O_RDWR;
	return fd2num(fd);
}

/*
 * Reads what has been typed: waits (yielding the CPU) for the first
 * character, then takes whatever else is already there, up to n.
 * Ctrl-D at the start of a read is the end of the input.
 */
static ssize_t
devcons_read(struct Fd *fd, void *buf, size_t n)
{
	char *out = buf;
	size_t got = 0;
	int c;

	(void) fd;
	if (n == 0)
		return 0;
	while ((c = sys_cgetc()) == 0)
		sys_yield();
	for (;;) {
		if (c < 0)
			return got > 0 ? (ssize_t) got : c;
		if (c == 0x04) /* Ctrl-D */
			return got;
		/* A serial terminal sends Enter as a carriage return. */
		out[got++] = c == '\r' ? '\n' : c;
		if (got == n || out[got - 1] == '\n')
			return got;
		if ((c = sys_cgetc()) == 0)
			return got;
	}
}

/* Writes n bytes to the screen, in pieces the kernel takes at once. */
static ssize_t
devcons_write(struct Fd *fd, const void *buf, size_t n)
{
	(void) fd;
	sys_cputs(buf, n);
	return n;
}

static int
devcons_close(struct Fd *fd)
{
	(void) fd;
	return 0;
}

static int
devcons_stat(struct Fd *fd, struct Stat *stat)
{
	(void) fd;
	strcpy(stat->st_name, "<cons>");
	return 0;
}
#else
int
getchar(void)
{
	int c;

	/* sys_cgetc does not wait: poll, giving the CPU away in between
	 * once there is a scheduler to give it to. */
	while ((c = sys_cgetc()) == 0) {
#if LAB >= 4
		sys_yield();
#endif
	}
	return c;
}

int
iscons(int fd)
{
	(void) fd;
	return 1;
}
#endif
