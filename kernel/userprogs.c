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

/*
 * Creates an environment for one run-list entry, "NAME" or
 * "NAME:ARG:ARG" (env_create passes the whole entry on as its argv).
 * Returns 0, or -1 with a message if there is no such program or it
 * could not start.  The program called fs is lab 5's file server.
 */
static int
start_program(const char *entry)
{
	char name[sizeof(current_name)];
	size_t len =
		MIN((size_t) (strfind(entry, ':') - entry), sizeof(name) - 1);
	enum EnvType type = ENV_TYPE_USER;

	memcpy(name, entry, len);
	name[len] = '\0';
	const struct user_program *p = find_user_program(name);
	if (p == NULL) {
		cprintf("run: no program called '%s'; there are:", name);
		for (int i = 0; i < nuser_programs; i++)
			cprintf(" %s", user_programs[i].name);
		cprintf("\n");
		repeats_left = 0; /* NAME*N: say it once */
		return -1;
	}
#if LAB >= 5
	if (strcmp(name, "fs") == 0)
		type = ENV_TYPE_FS;
#endif
	return env_create(entry, p->image, p->size, type) == 0 ? 0 : -1;
}

int
start_next_program(void)
{
	while (repeats_left > 0 || advance()) {
		if (repeats_left <= 0)
			continue;
		repeats_left--;
		int started = 0;
#if LAB >= 4
		/* "a+b+c" (lab 4): every program at once, so that they run
		 * side by side, on several CPUs or by turns. */
		char names[sizeof(current_name)];
		memcpy(names, current_name, sizeof(names));
		for (char *name = names; *name != '\0';) {
			char *end = strfind(name, '+');
			bool last = (*end == '\0');
			*end = '\0';
			started += start_program(name) == 0;
			name = last ? end : end + 1;
		}
#else
		started = start_program(current_name) == 0;
#endif
		if (started > 0)
			return 0;
	}
	return -1;
}
