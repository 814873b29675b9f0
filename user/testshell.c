/*
 * testshell: runs the shell on a script, its output into a file, and
 * compares that file byte for byte with the script's key:
 *	sh < testshell.sh > testshell.out, then testshell.out = testshell.key
 */
#include <inc/lib.h>

static char out_buf[4096], key_buf[4096];

void
umain(int argc, char **argv)
{
	int in, out, r, n_out, n_key;
	envid_t id;

	(void) argc;
	(void) argv;
	if ((in = open("testshell.sh", O_RDONLY)) < 0)
		panic("open testshell.sh: %e", in);
	if ((out = open("testshell.out", O_WRONLY | O_CREAT | O_TRUNC)) < 0)
		panic("open testshell.out: %e", out);
	/* The shell's standard input and output: put them at 0 and 1
	 * (started by the kernel, we have no descriptors yet, so they
	 * usually are there already). */
	if (in != 0 && ((r = dup(in, 0)) < 0 || (r = close(in)) < 0))
		panic("dup: %e", r);
	if (out != 1 && ((r = dup(out, 1)) < 0 || (r = close(out)) < 0))
		panic("dup: %e", r);
	if ((id = spawnl("sh", "sh", (const char *) NULL)) < 0)
		panic("spawn sh: %e", id);
	close(0);
	close(1);
	wait(id);

	if ((out = open("testshell.out", O_RDONLY)) < 0)
		panic("open testshell.out: %e", out);
	int key = open("testshell.key", O_RDONLY);
	if (key < 0)
		panic("open testshell.key: %e", key);
	n_out = readn(out, out_buf, sizeof(out_buf));
	n_key = readn(key, key_buf, sizeof(key_buf));
	if (n_out < 0 || n_key < 0)
		panic("readn: %e", n_out < 0 ? n_out : n_key);
	for (int i = 0, line = 1; i < n_out || i < n_key; i++) {
		if (i >= n_out || i >= n_key || out_buf[i] != key_buf[i]) {
			cprintf("testshell: the output differs from the key "
				"at byte %d (line %d): %d bytes vs %d\n",
				i, line, n_out, n_key);
			exit();
		}
		if (out_buf[i] == '\n')
			line++;
	}
	cprintf("testshell: the shell's output matches the key "
		"(%d bytes)\n",
		n_out);
}
