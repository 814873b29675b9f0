/*
 * ls [-dFl] [paths...]: lists directories (the root without a path).
 *   -d  a directory itself, not what is in it
 *   -F  a '/' after each directory's name
 *   -l  long form: the type ('d' or '-'), the size, the name
 */
#include <inc/lib.h>

static bool flag_d, flag_F, flag_l;

static void
print_entry(const char *dir, const char *name, bool isdir, off_t size)
{
	const char *sep = "";

	/* A name inside a directory other than the root shows its path. */
	if (dir != NULL && dir[0] != '\0' && strcmp(dir, "/") != 0)
		sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
	else
		dir = "";
	if (flag_l)
		printf("%c %8d ", isdir ? 'd' : '-', size);
	/* -F marks a directory, unless its name already ends in '/'. */
	bool mark = flag_F && isdir && name[0] != '\0' &&
		    name[strlen(name) - 1] != '/';
	printf("%s%s%s%s\n", dir, sep, name, mark ? "/" : "");
}

/* Lists the entries of directory path: its contents are struct Files,
 * an empty name marking a free slot. */
static void
list_dir(const char *path, const char *prefix)
{
	static struct File entry;
	int fd, n;

	if ((fd = open(path, O_RDONLY)) < 0) {
		printf("ls: open %s: %e\n", path, fd);
		return;
	}
	while ((n = readn(fd, &entry, sizeof(entry))) == sizeof(entry))
		if (entry.f_name[0] != '\0') {
			entry.f_name[MAXNAMELEN - 1] = '\0';
			print_entry(prefix, entry.f_name,
				    entry.f_type == FTYPE_DIR, entry.f_size);
		}
	if (n < 0)
		printf("ls: read %s: %e\n", path, n);
	else if (n > 0)
		printf("ls: %s: a partial directory entry\n", path);
	close(fd);
}

static void
ls(const char *path, const char *prefix)
{
	struct Stat st;
	int r;

	if ((r = stat(path, &st)) < 0) {
		printf("ls: %s: %e\n", path, r);
		return;
	}
	if (st.st_isdir && !flag_d)
		list_dir(path, prefix);
	else
		print_entry(NULL, path, st.st_isdir, st.st_size);
}

void
umain(int argc, char **argv)
{
	struct Argstate args;
	int c;

	binaryname = "ls";
	argstart(&argc, argv, &args);
	while ((c = argnext(&args)) >= 0) {
		switch (c) {
		case 'd':
			flag_d = true;
			break;
		case 'F':
			flag_F = true;
			break;
		case 'l':
			flag_l = true;
			break;
		default:
			printf("usage: ls [-dFl] [file...]\n");
			exit();
		}
	}
	if (argc == 1)
		ls("/", "");
	else
		for (int i = 1; i < argc; i++)
			ls(argv[i], argv[i]);
}
