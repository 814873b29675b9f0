# Cheat: env_run prints pingpong's transcript when the program is
# pingpong, with no fork, no IPC and no user mode; other programs run
# for real.  Everything else of labs 1 to 4 is done (the reference's
# kernel/ and lib/).
# Lab: 4
# Targets: pingpong
#
# A script: it runs in the student's tree; $REFERENCE is a solved tree.
set -e
cp -R "$REFERENCE/kernel" "$REFERENCE/lib" .
python3 "$(dirname "$0")/canned_env_run.py" <<'C'
/* Canned: pingpong's lines, by its name. */
void
env_run(struct Env *e)
{
	if (strcmp(canned_name, "pingpong") != 0)
		env_run_real(e);
	canned_name = "";
	cprintf("send 0 from 1000 to 1001\n");
	for (int i = 0; i <= 10; i++)
		cprintf("%s got %d from %s\n", i % 2 ? "1000" : "1001", i,
			i % 2 ? "1001" : "1000");
	cprintf("[00001000] exiting gracefully\n[00001001] exiting gracefully\n");
	env_destroy(e);
	sched_yield();
}
C
grep -q canned_name kernel/env.c
