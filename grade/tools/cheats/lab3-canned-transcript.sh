# Cheat: env_run prints a transcript of each program by its name (its
# lines, its trap frame), with no user mode, no trap entry and no
# system call.  Labs 1 and 2 are done (the reference's files), so that
# the kernel gets as far as env_run.
# Lab: 3
# Targets: hello divzero softint badsegment
#
# A script: it runs in the student's tree; $REFERENCE is a solved tree.
set -e
for f in kernel/pmap.c kernel/monitor.c kernel/kdebug.c lib/printfmt.c kernel/env.c; do
	cp "$REFERENCE/$f" "$f"
done
python3 "$(dirname "$0")/canned_env_run.py" <<'C'
/* Canned: what the grader looks for, by program name. */
void
env_run(struct Env *e)
{
	int trapno = strcmp(canned_name, "divzero") == 0 ? 0 : 13;

	if (strcmp(canned_name, "hello") == 0) {
		cprintf("hello, world\ni am environment %08x\n", e->env_id);
		cprintf("[%08x] exiting gracefully\n", e->env_id);
	} else {
		cprintf("TRAP frame at 0xefffffbc\n  trap 0x%08x %s\n", trapno,
			trapno ? "General Protection" : "Divide error");
		cprintf("  err  0x00000000\n  eip  0x00800039\n  cs   0x----001b\n");
		cprintf("  flag 0x00000096\n  esp  0xeebfdfd0\n  ss   0x----0023\n");
	}
	curenv = e;
	env_destroy(e);
	sched_yield();
}
C
grep -q canned_name kernel/env.c
