/*
 * The library OS: everything a user program links with.  A program
 * includes this one header and defines umain().
 */
#ifndef INC_LIB_H
#define INC_LIB_H

#include <inc/types.h>
#include <inc/stdio.h>
#include <inc/stdarg.h>
#include <inc/string.h>
#include <inc/error.h>
#include <inc/assert.h>
#include <inc/env.h>
#include <inc/memlayout.h>
#include <inc/syscall.h>
#include <inc/trap.h>
#if LAB >= 5
#include <inc/fs.h>
#include <inc/fd.h>
#endif

/* Marks a variable as used, to silence "unused" warnings. */
#define USED(x) (void) (x)

/* The program's own code: called by libmain with its arguments. */
void umain(int argc, char **argv);

/* lib/libmain.c */
extern const char *binaryname;		   /* the program's name, for panic */
extern const volatile struct Env *thisenv; /* this environment's Env */
/* The kernel's tables, read-only (lib/entry.S places them). */
extern const volatile struct Env envs[NENV];
extern const volatile struct PageInfo pages[];

/* lib/exit.c */
void exit(void) __attribute__((noreturn));

/* lib/syscall.c: one function per system call (inc/syscall.h). */
void sys_cputs(const char *string, size_t len);
int sys_cgetc(void);
envid_t sys_getenvid(void);
int sys_env_destroy(envid_t envid);
#if LAB >= 4
int sys_page_alloc(envid_t env, void *va, int perm);
int sys_page_map(envid_t src_env, void *src_va, envid_t dst_env, void *dst_va,
		 int perm);
int sys_page_unmap(envid_t env, void *va);
int sys_env_set_status(envid_t env, int status);
int sys_env_set_trapframe(envid_t env, struct Trapframe *tf);
int sys_env_set_pgfault_upcall(envid_t env, void *upcall);
void sys_yield(void);
int sys_ipc_try_send(envid_t to_env, uint32_t value, void *pg, int perm);
int sys_ipc_recv(void *rcv_pg);
/* ExoLab's combined IPC calls (inc/syscall.h, docs/ipc.md). */
int sys_ipc_call(envid_t to_env, uint32_t value, void *pg, int perm,
		 void *rcv_pg);
int sys_ipc_reply_recv(envid_t to_env, uint32_t value, void *pg, int perm,
		       void *rcv_pg);

/*
 * sys_exofork must be inlined: the child starts running in the middle
 * of it, with a copy of the parent's registers but (so far) no stack
 * of its own.  A call would need one to return through.
 */
static inline envid_t __attribute__((always_inline)) sys_exofork(void)
{
	envid_t ret;

	asm volatile("int %2" : "=a"(ret) : "a"(SYS_exofork), "i"(T_SYSCALL));
	return ret;
}

/* PTE bits the kernel leaves to the library (PTE_AVAIL): */
#define PTE_SHARE 0x400 /* fork and spawn share the page (lab 5) */
#define PTE_COW	  0x800 /* copy-on-write (lib/fork.c) */

/* lib/pgfault.c */
void set_pgfault_handler(void (*handler)(struct UTrapframe *utf));

/* lib/fork.c */
envid_t fork(void);
envid_t sfork(void);

/* lib/ipc.c */
void ipc_send(envid_t to_env, uint32_t value, void *pg, int perm);
int32_t ipc_recv(envid_t *from_env_store, void *pg, int *perm_store);
envid_t ipc_find_env(enum EnvType type);
int32_t ipc_call(envid_t to_env, uint32_t value, void *pg, int perm,
		 void *rcv_pg, int *perm_store);
int32_t ipc_reply_recv(envid_t to_env, uint32_t value, void *pg, int perm,
		       envid_t *from_env_store, void *rcv_pg, int *perm_store);
#endif

#if LAB >= 5
#include <inc/args.h>

/* lib/pageref.c */
int pageref(void *va);

/* lib/console.c */
int opencons(void);

/* lib/pipe.c */
int pipe(int pfd[2]);
int pipeisclosed(int fd);

/* lib/spawn.c */
envid_t spawn(const char *program, const char **argv);
envid_t spawnl(const char *program, const char *arg0, ...);

/* lib/wait.c */
void wait(envid_t env);
#endif

#endif /* !INC_LIB_H */
