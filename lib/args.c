/* Command-line options: see inc/args.h. */
#include <inc/lib.h>
#include <inc/args.h>

/* Starts reading the flags of argv (argv[0] is the program). */
void
argstart(int *argc, char **argv, struct Argstate *args)
{
	args->argc = argc;
	args->argv = (const char **) argv;
	/* "" means "between flag groups"; NULL "no flags left". */
	args->curarg = (*argc > 1 && argv != NULL) ? "" : NULL;
	args->argvalue = NULL;
}

/* Removes argv[1] from the argument list. */
static void
shift(struct Argstate *args)
{
	(*args->argc)--;
	memmove(args->argv + 1, args->argv + 2,
		sizeof(const char *) * *args->argc);
}

/*
 * The next flag character, or -1 when no flags are left (argv then
 * holds the program name and the other arguments).
 */
int
argnext(struct Argstate *args)
{
	args->argvalue = NULL;
	if (args->curarg == NULL)
		return -1;

	if (*args->curarg == '\0') {
		/* Start the next group, if argv[1] is one. */
		if (*args->argc < 2 || args->argv[1][0] != '-' ||
		    args->argv[1][1] == '\0')
			goto done;
		args->curarg = args->argv[1] + 1;
		shift(args);
		if (strcmp(args->curarg, "-") == 0)
			goto done; /* "--": the flags end here */
	}
	return (unsigned char) *args->curarg++;

done:
	args->curarg = NULL;
	return -1;
}

/*
 * The current flag's value: the rest of its group ("-n5") or else the
 * next argument ("-n 5"), which is then removed from argv.  NULL if
 * there is none.  Asking twice gives the same value.
 */
char *
argvalue(struct Argstate *args)
{
	if (args->argvalue == NULL)
		return argnextvalue(args);
	return (char *) args->argvalue;
}

/* Like argvalue, but always takes a fresh value. */
char *
argnextvalue(struct Argstate *args)
{
	if (args->curarg == NULL)
		return NULL;
	if (*args->curarg != '\0') {
		args->argvalue = args->curarg;
		args->curarg = "";
	} else if (*args->argc > 1) {
		args->argvalue = args->argv[1];
		shift(args);
	} else {
		args->argvalue = NULL;
	}
	return (char *) args->argvalue;
}
