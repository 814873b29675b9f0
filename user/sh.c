/*
 * sh: the shell (lab 5).
 *
 *	sh [-x] [script]
 *
 * Reads command lines from the script, or from standard input (with a
 * "$ " prompt when that is the console), and runs each one:
 *
 *	word...                 run program word[0] with those arguments
 *	cmd < file  cmd > file  standard input from / output to a file
 *	cmd | cmd | ...         a pipeline
 *	"a quoted word"         a word with spaces in it
 *	# comment               ignored to the end of the line
 *
 * -x prints each command line (after "+ ") before running it.
 *
 * How a line runs: the shell keeps its own input and output at
 * SAVED_IN and SAVED_OUT.  For each stage of a pipeline it puts the
 * stage's input and output at its own fds 0 and 1 and spawns the
 * program, which inherits them (they are PTE_SHARE pages); then it
 * puts its own back and waits for every stage.  A pipe's write end is
 * held by its writer stage only, so the reader sees the end of the
 * stream when the writer exits.
 */
#include <inc/lib.h>

#define MAXARGS	  32
#define MAXSTAGES 8
#define SAVED_IN  30
#define SAVED_OUT 31

struct stage {
	const char *argv[MAXARGS + 1];
	int argc;
	const char *input;  /* < file, or NULL */
	const char *output; /* > file, or NULL */
};

static bool trace; /* -x */

/* Messages go to the shell's own output, never into a pipe. */
#define say(...) fprintf(SAVED_OUT, __VA_ARGS__)

/*
 * Splits line (in place) into stages; returns how many (0 for an empty
 * line), or -1 after printing a syntax error.
 */
static int
parse(char *line, struct stage *stages)
{
	struct stage *st = &stages[0];
	int nstages = 1;
	const char **target = NULL; /* set after '<' or '>' */
	char *s = line;
	/* Every word fits: the copies are no longer than the line. */
	static char words[2100];
	char *w = words;

	if (strlen(line) >= sizeof(words) / 2 - 1) {
		say("sh: line too long\n");
		return -1;
	}
	memset(stages, 0, sizeof(*stages) * MAXSTAGES);
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			*s++ = '\0';
		if (*s == '\0' || *s == '#')
			break;
		if (*s == '<' || *s == '>' || *s == '|') {
			char op = *s;
			*s++ = '\0';
			if (target != NULL) {
				say("sh: syntax error: '%c' after a "
				    "redirection\n",
				    op);
				return -1;
			}
			if (op == '<')
				target = &st->input;
			else if (op == '>')
				target = &st->output;
			else {
				if (st->argc == 0) {
					say("sh: syntax error: empty command "
					    "before '|'\n");
					return -1;
				}
				if (nstages == MAXSTAGES) {
					say("sh: too many commands in a "
					    "pipeline\n");
					return -1;
				}
				st = &stages[nstages++];
			}
			continue;
		}

		/* A word, maybe quoted, copied out (NUL-terminated) into
		 * `words`: the line itself has no room for the NUL when an
		 * operator follows the word directly ("a|b"). */
		char *word = w;
		if (*s == '"') {
			for (s++; *s != '"' && *s != '\0'; s++)
				*w++ = *s;
			if (*s == '\0') {
				say("sh: syntax error: unterminated quote\n");
				return -1;
			}
			s++;
		} else {
			while (*s != '\0' && !strchr(" \t\r\n<>|#\"", *s))
				*w++ = *s++;
		}
		*w++ = '\0';
		if (target != NULL) {
			*target = word;
			target = NULL;
		} else if (st->argc == MAXARGS) {
			say("sh: too many arguments\n");
			return -1;
		} else {
			st->argv[st->argc++] = word;
		}
	}
	if (target != NULL) {
		say("sh: syntax error: redirection without a file\n");
		return -1;
	}
	if (st->argc == 0) {
		if (nstages > 1 || st->input || st->output) {
			say("sh: syntax error: empty command\n");
			return -1;
		}
		return 0;
	}
	return nstages;
}

/*
 * Makes fd `to` a copy of `from` and closes from.  Returns 0 or the
 * error.
 */
static int
move_fd(int from, int to)
{
	int r;

	if (from == to)
		return 0;
	r = dup(from, to);
	close(from);
	return r < 0 ? r : 0;
}

/*
 * Opens the stage's input file as fd 0 (lab 5, exercise 8: `<`).
 * Returns 0, or prints what went wrong and returns the error.
 */
static int
redirect_input(const char *path)
{
#if SOL >= 5
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0) {
		say("sh: open %s for reading: %e\n", path, fd);
		return fd;
	}
	return move_fd(fd, 0);
#else
	/* LAB 5: Your code here (exercise 8). */
	(void) path;
	say("sh: < redirection is not implemented (lab 5, exercise 8)\n");
	return -E_NOT_SUPP;
#endif
}

/* Opens the stage's output file, emptied or created, as fd 1. */
static int
redirect_output(const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC)) < 0) {
		say("sh: open %s for writing: %e\n", path, fd);
		return fd;
	}
	return move_fd(fd, 1);
}

/* Runs one parsed line and waits for it. */
static void
run(struct stage *stages, int nstages)
{
	envid_t ids[MAXSTAGES];
	int pipe_in = -1; /* read end of the previous stage's pipe */
	int n = 0, r;

	for (int i = 0; i < nstages; i++) {
		struct stage *st = &stages[i];
		int p[2];

		/* Standard input: the pipe, a file, or the shell's own. */
		if (pipe_in >= 0) {
			r = move_fd(pipe_in, 0);
			pipe_in = -1;
		} else if (st->input != NULL) {
			r = redirect_input(st->input);
		} else {
			r = dup(SAVED_IN, 0);
		}
		if (r < 0)
			break;

		/* Standard output: a new pipe, a file or the shell's own. */
		if (i < nstages - 1) {
			if ((r = pipe(p)) < 0) {
				say("sh: pipe: %e\n", r);
				break;
			}
			pipe_in = p[0];
			r = move_fd(p[1], 1);
		} else if (st->output != NULL) {
			r = redirect_output(st->output);
		} else {
			r = dup(SAVED_OUT, 1);
		}
		if (r < 0)
			break;

		envid_t id = spawn(st->argv[0], st->argv);
		if (id < 0) {
			say("sh: %s: %e\n", st->argv[0], id);
			break;
		}
		ids[n++] = id;
	}

	/* Our own input and output again; the pipes' ends are now
	 * only the stages'. */
	if (pipe_in >= 0)
		close(pipe_in);
	dup(SAVED_IN, 0);
	dup(SAVED_OUT, 1);
	for (int i = 0; i < n; i++)
		wait(ids[i]);
}

static void
trace_line(struct stage *stages, int nstages)
{
	say("+");
	for (int i = 0; i < nstages; i++) {
		if (i > 0)
			say(" |");
		for (int j = 0; j < stages[i].argc; j++) {
			const char *w = stages[i].argv[j];
			/* Quoted as typed if it needs quotes to be one word. */
			bool quote = w[0] == '\0';
			for (const char *c = w; *c != '\0'; c++)
				if (strchr(" \t<>|#", *c))
					quote = true;
			say(quote ? " \"%s\"" : " %s", w);
		}
		if (stages[i].input)
			say(" < %s", stages[i].input);
		if (stages[i].output)
			say(" > %s", stages[i].output);
	}
	say("\n");
}

static void
usage(void)
{
	cprintf("usage: sh [-x] [script]\n");
	exit();
}

void
umain(int argc, char **argv)
{
	static struct stage stages[MAXSTAGES];
	struct Argstate args;
	bool interactive;
	int c, r;

	binaryname = "sh";
	argstart(&argc, argv, &args);
	while ((c = argnext(&args)) >= 0) {
		if (c == 'x')
			trace = true;
		else
			usage();
	}
	if (argc > 2)
		usage();
	if (argc == 2) {
		/* The script becomes our standard input. */
		if ((r = open(argv[1], O_RDONLY)) < 0) {
			cprintf("sh: open %s: %e\n", argv[1], r);
			exit();
		}
		if ((r = move_fd(r, 0)) < 0)
			panic("sh: dup: %e", r);
	}
	/* Keep our own input and output where the stages' setup cannot
	 * disturb them (they stay shared: same offset). */
	if ((r = dup(0, SAVED_IN)) < 0 || (r = dup(1, SAVED_OUT)) < 0) {
		cprintf("sh: no standard input or output: %e\n", r);
		exit();
	}
	interactive = iscons(0);

	for (;;) {
		char *line = readline(interactive ? "$ " : NULL);
		if (line == NULL)
			break; /* the end of the input */
		int nstages = parse(line, stages);
		if (nstages <= 0)
			continue;
		if (trace)
			trace_line(stages, nstages);
		run(stages, nstages);
	}
}
