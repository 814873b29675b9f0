/*
 * Starting the built-in user programs the kernel command line names
 * (see kernel/userprogs.h).
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <kernel/userprogs.h>
#include <kernel/bootinfo.h>
#include <kernel/env.h>

/* The queue: run=... as written, and where we are in it. */
static char run_list[1024];
static const char *next_entry;
static int repeats_left; /* of the current entry's *N */
static char current_name[64];

const struct user_program *
find_user_program(const char *name)
{
	for (int i = 0; i < nuser_programs; i++)
		if (strcmp(user_programs[i].name, name) == 0)
			return &user_programs[i];
	return NULL;
}

bool
queue_programs_from_cmdline(void)
{
	if (!boot_option("run", run_list, sizeof(run_list)))
		return false;
	next_entry = run_list;
	return true;
}

/* Moves to the next entry of the run list: sets current_name and
 * repeats_left from "NAME" or "NAME*N".  Returns false at the end. */
static bool
advance(void)
{
	if (next_entry == NULL || *next_entry == '\0')
		return false;
	const char *end = strfind(next_entry, ',');
	size_t len = MIN((size_t) (end - next_entry), sizeof(current_name) - 1);
	memcpy(current_name, next_entry, len);
	current_name[len] = '\0';
	next_entry = *end ? end + 1 : end;

	repeats_left = 1;
	char *star = strchr(current_name, '*');
	if (star != NULL) {
		char *count_end;
		*star = '\0';
		repeats_left = strtol(star + 1, &count_end, 10);
		if (count_end == star + 1 || *count_end != '\0' ||
		    repeats_left < 0) {
			cprintf("run: '%s*%s': the repeat count must be a "
				"number >= 0\n",
				current_name, star + 1);
			repeats_left = 0;
		}
	}
	return true;
}

/* The type of the environment that runs program `name`: the program
 * called fs is lab 5's file server. */
static enum EnvType
program_type(const char *name)
{
#if LAB >= 5
	if (strcmp(name, "fs") == 0)
		return ENV_TYPE_FS;
#endif
	return ENV_TYPE_USER;
}

#if LAB >= 4
/* Starts every program of "a+b+c" at once (lab 4: so that they run
 * side by side, on several CPUs or by turns).  Returns 0 if at least
 * one started. */
static int
start_together(char *names)
{
	int started = 0;

	for (char *name = names; *name != '\0';) {
		char *end = strfind(name, '+');
		bool last = (*end == '\0');
		*end = '\0';
		/* NAME or NAME:ARG:ARG, as for a single program. */
		char program[64];
		size_t len = MIN((size_t) (strfind(name, ':') - name),
				 sizeof(program) - 1);
		memcpy(program, name, len);
		program[len] = '\0';
		const struct user_program *p = find_user_program(program);
		if (p == NULL)
			cprintf("run: no program called '%s'\n", program);
		else if (env_create(name, p->image, p->size,
				    program_type(program)) == 0)
			started++;
		name = last ? end : end + 1;
	}
	return started > 0 ? 0 : -1;
}
#endif

int
start_next_program(void)
{
	while (repeats_left > 0 || advance()) {
		if (repeats_left <= 0)
			continue;
		repeats_left--;
#if LAB >= 4
		if (strchr(current_name, '+') != NULL) {
			char names[sizeof(current_name)];
			memcpy(names, current_name, sizeof(names));
			if (start_together(names) == 0)
				return 0;
			continue;
		}
#endif
		/* "NAME:ARG:ARG": the program is NAME; env_create passes the
		 * whole entry on as its argv. */
		char name[sizeof(current_name)];
		size_t len = strfind(current_name, ':') - current_name;
		memcpy(name, current_name, len);
		name[len] = '\0';
		const struct user_program *p = find_user_program(name);
		if (p == NULL) {
			cprintf("run: no program called '%s'; there are:",
				name);
			for (int i = 0; i < nuser_programs; i++)
				cprintf(" %s", user_programs[i].name);
			cprintf("\n");
			repeats_left = 0;
			continue;
		}
		if (env_create(current_name, p->image, p->size,
			       program_type(name)) == 0)
			return 0;
	}
	return -1;
}
