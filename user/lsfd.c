/* lsfd [-1]: lists this program's open descriptors (on the console,
 * or with -1 on standard output). */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	struct Argstate args;
	struct Stat st;
	bool to_stdout = false;
	int c;

	argstart(&argc, argv, &args);
	while ((c = argnext(&args)) >= 0)
		if (c == '1')
			to_stdout = true;
	for (int fd = 0; fd < MAXFD; fd++) {
		if (fstat(fd, &st) < 0)
			continue;
		if (to_stdout)
			printf("fd %d: name %s isdir %d size %d dev %s\n", fd,
			       st.st_name, st.st_isdir, st.st_size,
			       st.st_dev->dev_name);
		else
			cprintf("fd %d: name %s isdir %d size %d dev %s\n", fd,
				st.st_name, st.st_isdir, st.st_size,
				st.st_dev->dev_name);
	}
}
