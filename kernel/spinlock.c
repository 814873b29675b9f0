/*
 * Spin locks (lab 4).  A CPU that wants a held lock loops until the
 * holder releases it; xchg makes "see it free and take it" one atomic
 * step across CPUs.
 *
 * Each lock remembers which CPU holds it and the code that took it, so
 * that the two classic mistakes stop the kernel with a message naming
 * both: taking a lock this CPU already holds (it would spin forever)
 * and releasing a lock this CPU does not hold.
 */
#include <inc/x86.h>
#include <inc/stdio.h>
#include <inc/assert.h>
#include <kernel/cpu.h>
#include <kernel/kdebug.h>
#include <kernel/spinlock.h>

struct spinlock kernel_lock = SPINLOCK_INIT("kernel_lock");

/* Writes "fn+offset (file:line)" for a kernel code address into buf. */
static const char *
where(uintptr_t eip, char *buf, size_t size)
{
	struct Eipdebuginfo info;

	debuginfo_eip(eip, &info);
	snprintf(buf, size, "%s+0x%x (%s:%d)", info.eip_fn_name,
		 (unsigned) (eip - info.eip_fn_addr), info.eip_file,
		 info.eip_line);
	return buf;
}

/* Stops the kernel on a misuse of lk by this CPU at `caller`, naming
 * both this CPU and the holder. */
void
spin_misuse(struct spinlock *lk, const char *what, uintptr_t caller)
{
	char here[128], holder[128];

	if (!lk->locked)
		panic("%s: CPU %d at %s: %s is not held by any CPU", what,
		      cpunum(), where(caller, here, sizeof(here)), lk->name);
	panic("%s: CPU %d at %s: %s is held by CPU %d, taken at %s", what,
	      cpunum(), where(caller, here, sizeof(here)), lk->name, lk->cpu,
	      where(lk->eip, holder, sizeof(holder)));
}

bool
spin_holding(struct spinlock *lk)
{
	return lk->locked && lk->cpu == cpunum();
}

bool
spin_trylock(struct spinlock *lk)
{
	if (xchg(&lk->locked, 1) != 0)
		return false;
	lk->cpu = cpunum();
	SPIN_HERE(lk->eip);
	return true;
}
