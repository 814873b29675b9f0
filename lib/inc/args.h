/*
 * Command-line options (lab 5): argstart/argnext walk argv the way
 * Unix getopt does.  Flags come first ("-l -F" or "-lF"); "--" or the
 * first argument that does not start with '-' ends them, and argnext
 * removes each flag from argv (and argc) as it goes, so that afterwards
 * argv holds only the other arguments.
 *
 *	struct Argstate args;
 *	argstart(&argc, argv, &args);
 *	while ((c = argnext(&args)) >= 0)
 *		switch (c) { case 'l': ...; case 'n': n = argvalue(&args); }
 */
#ifndef INC_ARGS_H
#define INC_ARGS_H

struct Argstate {
	int *argc;
	const char **argv;
	const char *curarg;   /* the rest of the flag group being read */
	const char *argvalue; /* the current flag's value, once asked */
};

void argstart(int *argc, char **argv, struct Argstate *args);
int argnext(struct Argstate *args);
char *argvalue(struct Argstate *args);
char *argnextvalue(struct Argstate *args);

#endif /* !INC_ARGS_H */
