/*
 * The monitor's command loop and its lab 1 commands.
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/memlayout.h>
#include <inc/x86.h>
#include <kernel/monitor.h>
#include <kernel/kdebug.h>
#if LAB >= 3
#include <inc/trap.h>
#include <inc/mmu.h>
#include <kernel/env.h>
#include <kernel/trap.h>
#endif

struct command {
	const char *name;
	const char *help;
	monitor_command_fn run;
};

static const struct command commands[] = {
	{ "help", "List the commands", mon_help },
	{ "kerninfo", "Show where the kernel sits in memory", mon_kerninfo },
	{ "backtrace", "Show the chain of calls that led here", mon_backtrace },
#if LAB >= 2
	{ "showmappings", "Show what virtual addresses START..END map to",
	  mon_showmappings },
	{ "setperm", "Change a page's W/U permissions: setperm VA [+|-]WU",
	  mon_setperm },
	{ "dumpmem", "Dump memory: dumpmem [-p] ADDR LEN (-p: physical)",
	  mon_dumpmem },
	{ "pages", "Count free and used physical pages", mon_pages },
#endif
#if LAB >= 3
	{ "continue", "Resume the environment that hit a breakpoint",
	  mon_continue },
	{ "c", "Short for continue", mon_continue },
	{ "stepi", "Run one instruction of that environment", mon_stepi },
	{ "si", "Short for stepi", mon_stepi },
#endif
#if LAB >= 4
	{ "lockcheck",
	  "Misuse a spin lock on purpose, to see the check "
	  "stop it: lockcheck twice|unheld",
	  mon_lockcheck },
#endif
};

int
mon_help(int argc, char **argv, struct Trapframe *tf)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		cprintf("%-12s - %s\n", commands[i].name, commands[i].help);
	return 0;
}

/* Symbols the linker defines at the edges of the kernel's image
 * (kernel/kernel.ld): their addresses are what matter. */
extern char _start[], entry[], etext[], edata[], end[];

int
mon_kerninfo(int argc, char **argv, struct Trapframe *tf)
{
	cprintf("Special kernel symbols:\n");
	cprintf("  _start                  %08x (phys)\n", (uintptr_t) _start);
	cprintf("  entry  %08x (virt)  %08x (phys)\n", (uintptr_t) entry,
		(uintptr_t) entry - KERNBASE);
	cprintf("  etext  %08x (virt)  %08x (phys)\n", (uintptr_t) etext,
		(uintptr_t) etext - KERNBASE);
	cprintf("  edata  %08x (virt)  %08x (phys)\n", (uintptr_t) edata,
		(uintptr_t) edata - KERNBASE);
	cprintf("  end    %08x (virt)  %08x (phys)\n", (uintptr_t) end,
		(uintptr_t) end - KERNBASE);
	/* From the entry point to the end of the bss, rounded up to KiB. */
	cprintf("Kernel executable memory footprint: %dKB\n",
		(int) ROUNDUP((uintptr_t) end - (uintptr_t) entry, 1024) /
			1024);
	return 0;
}

/*
 * The kernel stack that contains address sp: sets [*bottom, *top).
 * The kernel starts on the boot stack (kernel/entry.S); from lab 2 on
 * the same memory also appears below KSTACKTOP, where traps from user
 * mode run, one KSTKSIZE stack per CPU with a KSTKGAP guard below each.
 * For an address on none of these, the page that contains it.
 */
void
kernel_stack_bounds(uintptr_t sp, uintptr_t *bottom, uintptr_t *top)
{
	extern char bootstack[], bootstacktop[];

	*bottom = ROUNDDOWN(sp, PGSIZE);
	*top = *bottom + PGSIZE;
	if (sp >= (uintptr_t) bootstack && sp < (uintptr_t) bootstacktop) {
		*bottom = (uintptr_t) bootstack;
		*top = (uintptr_t) bootstacktop;
	}
#if LAB >= 2
	if (sp < KSTACKTOP && sp >= KSTACKTOP - PTSIZE) {
		uintptr_t cpu_top = KSTACKTOP - (KSTACKTOP - sp - 1) /
							(KSTKSIZE + KSTKGAP) *
							(KSTKSIZE + KSTKGAP);
		if (sp >= cpu_top - KSTKSIZE) {
			*bottom = cpu_top - KSTKSIZE;
			*top = cpu_top;
		}
	}
#endif
}

/*
 * mon_backtrace: print the chain of active function calls
 * (lab 1, exercise 11).
 *
 * With frame pointers (-fno-omit-frame-pointer), every function starts
 * by pushing the caller's %ebp and copying %esp into %ebp, so each
 * frame looks like this (addresses grow upwards):
 *
 *        | ...              |
 *        | argument 2       |  ebp + 12
 *        | argument 1       |  ebp + 8
 *        | return address   |  ebp + 4   (the eip to print)
 *  ebp-> | caller's ebp     |  ebp + 0   (the next frame)
 *        | locals ...       |
 *
 * Print a "Stack backtrace:" line, then for each frame
 *   "  ebp %08x  eip %08x  args %08x %08x %08x %08x %08x\n"
 * (five words above the return address, whether or not the function
 * takes that many), then, using debuginfo_eip(),
 *   "       %s:%d: %s+%d\n"   (file, line, function, eip - function start)
 * The chain ends at a saved ebp of 0: kernel/entry.S clears ebp before
 * calling the first C function (and from lab 3 on, the trap entry code
 * clears it too).
 *
 * Never trust the chain further than that: a saved ebp is just a word
 * on the stack.  Stop, too, at a frame that lies outside the stack you
 * run on (kernel_stack_bounds() below gives it) or that is not above
 * the previous frame (the stack grows down, so callers' frames are at
 * higher addresses): a corrupted or hostile ebp must end the walk, not
 * make it fault or go round in circles.
 *
 * Hint: read_ebp() in inc/x86.h gives the current frame, read_esp()
 * the current stack pointer.  The return address points just past the
 * call instruction; look up eip - 1 to name the line of the call itself.
 */
int
mon_backtrace(int argc, char **argv, struct Trapframe *tf)
{
#if SOL >= 1
	const uint32_t *frame = (const uint32_t *) read_ebp();
	uintptr_t bottom, top, previous = read_esp();

	kernel_stack_bounds(previous, &bottom, &top);
	cprintf("Stack backtrace:\n");
	while (frame != NULL) {
		uintptr_t eip;
		struct Eipdebuginfo info;

		if ((uintptr_t) frame < bottom || (uintptr_t) frame > top - 8 ||
		    (uintptr_t) frame <= previous) {
			cprintf("  ebp %08x: not a frame on this stack; "
				"stopping\n",
				(uintptr_t) frame);
			break;
		}
		previous = (uintptr_t) frame;
		eip = frame[1];

		cprintf("  ebp %08x  eip %08x  args %08x %08x %08x %08x %08x\n",
			(uintptr_t) frame, eip, frame[2], frame[3], frame[4],
			frame[5], frame[6]);
		debuginfo_eip(eip - 1, &info);
		cprintf("       %s:%d: %s+%d\n", info.eip_file, info.eip_line,
			info.eip_fn_name, (int) (eip - info.eip_fn_addr));
		frame = (const uint32_t *) frame[0];
	}
#else
	/* LAB 1: Your code here (exercise 11). */
	cprintf("backtrace: not implemented (lab 1, exercise 11)\n");
#endif
	return 0;
}

#if LAB >= 3
envid_t monitor_stepping_env;

/*
 * Leaving the monitor returns to trap(), which resumes the environment
 * from its trap frame.  The trap flag (FL_TF) makes the CPU raise a
 * debug exception after one instruction: that is single-stepping.
 */
static int
resume(struct Trapframe *tf, bool single_step)
{
	if (tf == NULL || !trap_from_user(tf)) {
		cprintf("No user environment to resume: the monitor was not "
			"entered from a breakpoint.\n");
		return 0;
	}
	if (single_step)
		tf->tf_eflags |= FL_TF;
	else
		tf->tf_eflags &= ~FL_TF;
	monitor_stepping_env = single_step ? curenv->env_id : 0;
	return -1;
}

int
mon_continue(int argc, char **argv, struct Trapframe *tf)
{
	return resume(tf, false);
}

int
mon_stepi(int argc, char **argv, struct Trapframe *tf)
{
	return resume(tf, true);
}
#endif

/* The longest command line, in words. */
#define MAXARGS	   16
#define WHITESPACE "\t\r\n "

/* Splits buf into words and runs the command the first one names. */
static int
runcmd(char *buf, struct Trapframe *tf)
{
	char *argv[MAXARGS + 1];
	int argc = 0;

	for (;;) {
		/* Cut the whitespace before the next word. */
		while (*buf && strchr(WHITESPACE, *buf))
			*buf++ = '\0';
		if (*buf == '\0')
			break;
		if (argc == MAXARGS) {
			cprintf("Too many arguments (max %d)\n", MAXARGS);
			return 0;
		}
		argv[argc++] = buf;
		while (*buf && !strchr(WHITESPACE, *buf))
			buf++;
	}
	argv[argc] = NULL;

	if (argc == 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].run(argc, argv, tf);
	cprintf("Unknown command '%s'\n", argv[0]);
	return 0;
}

void
monitor(struct Trapframe *tf)
{
	cprintf("Welcome to the ExoLab kernel monitor!\n");
	cprintf("Type 'help' for a list of commands.\n");

	for (;;) {
		char *line = readline("K> ");

		if (line != NULL && runcmd(line, tf) < 0)
			break;
	}
}
