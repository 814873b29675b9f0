/*
 * Shared by the hostile programs (user/hostile_*.c): small programs that
 * attack the kernel from user mode, one attack per run.  The grader
 * (lab3/test_lab3.py) runs each program once per attack, in a row
 * (run=hostile_NAME*N): the kernel reuses slot 0 of envs[] each time
 * and bumps the id's generation, so the generation tells a run which
 * attack is its turn.
 */
#ifndef USER_HOSTILE_H
#define USER_HOSTILE_H

#include <inc/lib.h>
#include <inc/x86.h>

/* Which of ncases attacks this run makes: 0 for the first program
 * the kernel starts, 1 for the next, and so on, modulo ncases. */
static inline int
hostile_case(int ncases)
{
	return ((thisenv->env_id >> ENVGENSHIFT) - 1) % ncases;
}

#endif /* !USER_HOSTILE_H */
