"""Lab 4: the exokernel's page, environment and IPC calls, user-level
page faults, copy-on-write fork and IPC in the library OS.

Part A: the environment and page calls (dumbfork, every error return).
Part B: user page-fault upcalls and copy-on-write fork.  Part C: IPC.
Each test boots the kernel with one user program (run=NAME on the
kernel command line).  Where a line could be printed without the work
being done, the test also looks at the machine: the page tables through
QEMU's monitor, the registers and the exception stack through the gdb
stub, the free page count through the kernel monitor's `pages`.
"""
import random
import re
import struct
import time

import pytest

from gradelib import fuzz
from gradelib import (GdbStub, GradeFailure, Qemu, QemuMonitor, build, points, run_kernel,
                      run_with_breakpoint, symbols)

NO_PANIC = [r".*kernel panic.*"]
NO_USER_PANIC = NO_PANIC + [r".*user panic.*"]
DONE = r"No runnable environments in the system!"
PAGES = r"(K> )?pages: \d+ total, (\d+) free.*"

UXSTACKTOP = 0xEEC00000
PGSIZE = 4096
PTE_P, PTE_W, PTE_U, PTE_COW = 0x1, 0x2, 0x4, 0x800


def run(program, commands=(), **options):
    name = re.sub(r"[^\w.-]", "_", program)
    if options.get("cpus", 1) != 1:
        name += "-%dcpus" % options["cpus"]
    return run_kernel(f"lab4-{name}", commands, program=program, **options)


def user_symbols(program):
    return symbols(build().require(build().objdir / "user" / program))


def panicked(stop, regs, syms):
    """Why a gdb-stub test stopped somewhere else, for its message."""
    if regs.get("eip") == syms.get("_panic"):
        return ": the program panicked first (its log says why)"
    return f" (the stub stopped with {stop!r} at eip {regs.get('eip', 0):#x})"


@pytest.fixture(scope="module")
def boot_free_pages():
    """The free page count after a boot that runs nothing."""
    output = run_kernel("lab4-pages-at-boot", ["pages"])
    m = output.match(PAGES)
    if not m:
        output.fail("the kernel monitor's `pages` printed no count")
    return int(m.group(2))


def expect_free_pages(output, boot_free_pages, after=""):
    m = output.match(PAGES)
    if not m:
        output.fail("missing the `pages` line after the run")
    if int(m.group(2)) != boot_free_pages:
        output.fail(f"{boot_free_pages} free pages after booting, "
                    f"{m.group(2)} after {after or 'the run'}: pages leaked")


# ---------------------------------------------------------------- part A

@points(10, part="A")
def test_dumbfork():
    """sys_exofork, sys_page_alloc/map/unmap and sys_env_set_status: a
    child made by hand runs with a copy of its parent's memory."""
    output = run("dumbfork")
    # Each side's lines in order; how they interleave is the scheduler's
    # business (the timer may preempt either).
    output.expect(r"\[00001000\] new env 00001001",
                  *[r"%d: I am the parent!" % i for i in range(10)],
                  r"\[00001000\] exiting gracefully", no=NO_USER_PANIC)
    output.expect(*[r"%d: I am the child!" % i for i in range(20)],
                  r"\[00001001\] exiting gracefully", DONE)


# Every call of user/syserrors.c and what it must return.  The error
# numbers are inc/error.h's: E_BAD_ENV 2, E_INVAL 3, E_FAULT 6,
# E_IPC_NOT_RECV 7.
SYSCALL_ERRORS = [
    ("sys_page_alloc(bad envid)", -2), ("sys_page_alloc(va UTOP)", -3),
    ("sys_page_alloc(va kernel)", -3), ("sys_page_alloc(va unaligned)", -3),
    ("sys_page_alloc(perm no PTE_U)", -3), ("sys_page_alloc(perm no PTE_P)", -3),
    ("sys_page_alloc(perm PTE_PCD)", -3), ("sys_page_alloc(perm PTE_G)", -3),
    ("sys_page_alloc(ok)", 0), ("sys_page_alloc(read-only)", 0),
    ("sys_page_map(bad src envid)", -2), ("sys_page_map(bad dst envid)", -2),
    ("sys_page_map(srcva UTOP)", -3), ("sys_page_map(srcva unaligned)", -3),
    ("sys_page_map(dstva UTOP)", -3), ("sys_page_map(dstva unaligned)", -3),
    ("sys_page_map(srcva unmapped)", -3), ("sys_page_map(perm no PTE_U)", -3),
    ("sys_page_map(perm PTE_PWT)", -3),
    ("sys_page_map(writable from read-only)", -3),
    ("sys_page_map(read-only from read-only)", 0),
    ("sys_page_unmap(bad envid)", -2), ("sys_page_unmap(va UTOP)", -3),
    ("sys_page_unmap(va unaligned)", -3), ("sys_page_unmap(mapped)", 0),
    ("sys_page_unmap(unmapped)", 0),
    ("sys_env_set_pgfault_upcall(bad envid)", -2),
    ("sys_env_set_pgfault_upcall(self)", 0),
    ("sys_ipc_try_send(bad envid)", -2), ("sys_ipc_try_send(not receiving)", -7),
    ("sys_ipc_try_send(srcva unaligned)", -3),
    ("sys_ipc_try_send(srcva unmapped)", -3),
    ("sys_ipc_try_send(perm no PTE_P)", -3),
    ("sys_ipc_try_send(writable from read-only)", -3),
    ("sys_ipc_recv(dstva unaligned)", -3),
    ("sys_ipc_call(dstva unaligned)", -3), ("sys_ipc_call(bad envid)", -2),
    ("sys_ipc_call(not receiving)", -7),
    ("sys_ipc_reply_recv(srcva unmapped)", -3),
    ("syscall(NSYSCALLS)", -3),
    ("sys_env_set_trapframe(unmapped tf)", -6),
    ("sys_env_set_trapframe(kernel tf)", -6),
    ("sys_env_set_trapframe(bad envid)", -2), ("sys_env_set_trapframe(child)", 0),
    ("sys_env_set_status(child, ENV_FREE)", -3),
    ("sys_env_set_status(child, ENV_RUNNING)", -3),
    ("sys_env_set_status(child, 99)", -3), ("sys_env_set_status(bad envid)", -2),
    ("sys_env_set_status(child, ENV_NOT_RUNNABLE)", 0),
    ("sys_env_destroy(child)", 0), ("sys_env_destroy(child again)", -2),
    ("sys_page_alloc(parent)", -2), ("sys_page_map(from parent)", -2),
    ("sys_page_map(to parent)", -2), ("sys_page_unmap(parent)", -2),
    ("sys_env_set_status(parent)", -2), ("sys_env_set_trapframe(parent)", -2),
    ("sys_env_set_pgfault_upcall(parent)", -2), ("sys_env_destroy(parent)", -2),
    ("sys_env_destroy(bad envid)", -2),
]


@points(15, part="A")
def test_every_error_return(boot_free_pages):
    """Every lab 4 call rejects each kind of bad argument with its own
    error, through the library's stubs, which hand every error back
    (nothing panics); no page is lost on any error path."""
    output = run("syserrors", ["pages"])
    lines = [r"syserrors: %s = %d" % (re.escape(what), value)
             for what, value in SYSCALL_ERRORS]
    output.expect(*lines, r"syserrors: done", DONE, no=NO_USER_PANIC)
    expect_free_pages(output, boot_free_pages)


@points(5, part="A")
def test_set_trapframe_keeps_user_mode():
    """sys_env_set_trapframe forces the user segments, interrupts on,
    IOPL 0, and no VM or NT flag, whatever the frame asks for."""
    output = run("syserrors")
    m = output.match(r"syserrors: child's frame: cs (\w+) ds (\w+) ss (\w+) "
                     r"eflags ([0-9a-f]{8})")
    if not m:
        output.fail("missing the child's frame line")
    cs, ds, ss, eflags = (int(g, 16) for g in m.groups())
    problems = []
    if (cs, ds, ss) != (0x1B, 0x23, 0x23):
        problems.append(f"segments cs {cs:04x} ds {ds:04x} ss {ss:04x}, "
                        f"expected 001b 0023 0023")
    if not eflags & 0x200:
        problems.append("interrupts off (FL_IF clear)")
    if eflags & 0x3000:
        problems.append(f"IOPL {(eflags >> 12) & 3}, expected 0")
    if eflags & (0x20000 | 0x4000):
        problems.append("VM or NT set")
    if not eflags & 1:
        problems.append("the carry flag the frame asked for was dropped")
    if problems:
        output.fail("the child's trap frame: " + "; ".join(problems))


# ---------------------------------------------------------------- part B

@points(10, part="B")
def test_faultdie_upcall_on_exception_stack():
    """The upcall runs the handler on the exception stack with the
    fault's address and error code (checked in memory at the handler's
    first instruction, through the gdb stub)."""
    syms = user_symbols("faultdie")
    handler = syms["handler"]
    with Qemu("lab4-faultdie-gdb", program="faultdie", gdb=True, timeout=45) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        try:
            stub.set_breakpoint(handler)
            stub.set_breakpoint(syms["_panic"])     # fail fast on a panic
            stop = stub.cont(timeout=30)
            regs = stub.registers()
            utf_va = int.from_bytes(stub.read_memory(regs["esp"] + 4, 4), "little")
            utf = stub.read_memory(utf_va, 52)
        finally:
            stub.close()
    output = qemu.stop()
    if not stop.startswith("T05") or regs["eip"] != handler:
        output.fail("the handler never ran" + panicked(stop, regs, syms))
    esp = regs["esp"]
    if not UXSTACKTOP - PGSIZE <= esp < UXSTACKTOP:
        output.fail(f"the handler ran with esp {esp:#010x}, not on the "
                    f"exception stack [{UXSTACKTOP - PGSIZE:#x}, {UXSTACKTOP:#x})")
    fault_va = int.from_bytes(utf[0:4], "little")
    err = int.from_bytes(utf[4:8], "little")
    if fault_va != 0xDEADBEEF or err & 7 != 6:
        output.fail(f"the UTrapframe says fault va {fault_va:#010x} err {err:#x}; "
                    f"expected va 0xdeadbeef, err 6 (user, write, not present)")


@points(5, part="B")
def test_faultdie():
    output = run("faultdie")
    output.expect(r"i faulted at va deadbeef, err 6, on the exception stack",
                  r"\[00001000\] exiting gracefully", DONE,
                  no=NO_USER_PANIC + [r".*user fault.*"])


@points(10, part="B")
def test_faultregs_every_register_survives():
    """After the handler, the faulting instruction resumes with every
    general register, esp and eflags as they were: compared through the
    gdb stub before the fault and after the upcall returns, besides the
    program's own check with random values."""
    syms = user_symbols("faultregs")
    fault_insn = syms["fault_insn"]
    after_insn = fault_insn + 5          # movl %eax, 0x00B00000: a1-form, 5 bytes
    with Qemu("lab4-faultregs-gdb", program="faultregs", gdb=True, timeout=45) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        try:
            stub.set_breakpoint(fault_insn)
            stub.set_breakpoint(syms["_panic"])     # fail fast on a panic
            stop1 = stub.cont(timeout=30)
            before = stub.registers()
            if before["eip"] != fault_insn:
                qemu.stop().fail("faultregs never reached its faulting "
                                       "write" + panicked(stop1, before, syms))
            stub.clear_breakpoint(fault_insn)
            stub.set_breakpoint(after_insn)
            stop2 = stub.cont(timeout=30)
            after = stub.registers()
            if after["eip"] == syms["_panic"]:
                qemu.stop().fail("faultregs did not get past its faulting "
                                       "write" + panicked(stop2, after, syms))
            runs = int.from_bytes(stub.read_memory(syms["handler_runs"], 4), "little")
            stub.clear_breakpoint(after_insn)
            stub._send("c")             # let it finish; no stop to wait for
        finally:
            stub.close()
        qemu.wait_for(r"K> ")
    output = qemu.stop()
    if not stop1.startswith("T05") or not stop2.startswith("T05"):
        output.fail(f"did not stop at the faulting write and after it ({stop1!r}, {stop2!r})")
    if after["eip"] != after_insn or runs != 1:
        output.fail(f"after the fault: eip {after['eip']:#x} (expected "
                    f"{after_insn:#x}), handler ran {runs} times (expected 1)")
    changed = [f"{r} {before[r]:#010x} -> {after[r]:#010x}"
               for r in ("eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp")
               if before[r] != after[r]]
    flags = 0xCD5                        # CF PF AF ZF SF DF OF
    if (before["eflags"] ^ after["eflags"]) & flags:
        changed.append(f"eflags {before['eflags']:#x} -> {after['eflags']:#x}")
    if changed:
        output.fail("the upcall changed registers: " + ", ".join(changed))
    output.expect(r"faultregs: every register and eflags survived the upcall",
                  DONE, no=NO_USER_PANIC + [r"faultregs: .* is .*, not .*"])


@points(10, part="B")
def test_faultalloc_nested_fault():
    """A handler that faults itself: the nested UTrapframe goes below
    the first, and both faults are handled."""
    output = run("faultalloc")
    output.expect(r"fault deadbeef", r"this string was faulted in at deadbeef",
                  r"fault cafebffe", r"fault cafec000",
                  r"this string was faulted in at cafebffe",
                  r"\[00001000\] exiting gracefully", DONE,
                  no=NO_USER_PANIC + [r".*user fault.*"])


@points(5, part="B")
def test_faultallocbad():
    """The kernel's own check of a user pointer destroys the caller: no
    upcall."""
    output = run("faultallocbad")
    output.expect(r"\[00001000\] user_mem_check assertion failure for va deadbeef",
                  r"\[00001000\] free env 00001000", DONE,
                  no=NO_PANIC + [r"faultallocbad: the handler ran.*"])


@pytest.mark.parametrize("program,why", [
    ("faultnostack", r"the user exception stack is not mapped writable"),
    ("faultbadhandler", r"the page fault upcall is not mapped for the user"),
    ("faultevilhandler", r"the page fault upcall is not mapped for the user"),
], ids=["faultnostack", "faultbadhandler", "faultevilhandler"])
@points(5, part="B")
def test_bad_upcall_setups_destroy_the_env(program, why):
    """No exception stack, an unmapped upcall or one in the kernel: the
    environment is destroyed with a message; the kernel runs on."""
    output = run(f"{program},hello")
    output.expect(r"\[00001000\] %s \(upcall [0-9a-f]{8}, esp [0-9a-f]{8}\)" % why,
                  r"\[00001000\] user fault va 00000000 ip 008[0-9a-f]{5}",
                  r"\[00001000\] free env 00001000", r"hello, world", DONE,
                  no=NO_PANIC + [r"%s: survived.*" % program])


def forktree_names(depth=3):
    names = [""]
    for d in range(depth):
        names += [n + c for n in names if len(n) == d for c in "01"]
    return names


@pytest.mark.parametrize("cpus", [1, 4], ids=["1cpu", "4cpus"])
@points(5, part="B")
def test_forktree(boot_free_pages, cpus):
    """fork makes a tree of 15 environments, each with its own name;
    afterwards every page is free again.  The grader sees the forks the
    tree needs called in user mode (a breakpoint at the library's fork,
    through the gdb stub)."""
    output = user_calls(f"lab4-forktree-{cpus}cpus", "forktree", "fork", 0, limit=40,
                        commands=["pages"], cpus=cpus)
    output.expect(DONE, no=NO_USER_PANIC + [r".*user fault.*"])
    for name in forktree_names():
        output.expect(r"[0-9a-f]{4}: I am '%s'" % name)
    if len(output.matches(r"\[[0-9a-f]{8}\] exiting gracefully")) != 15:
        output.fail("expected 15 environments to exit gracefully")
    expect_free_pages(output, boot_free_pages)
    # On one CPU the grader sees every fork, and some twice: when fork's
    # first instruction (a push) meets a copy-on-write stack page, the
    # upcall runs and fork starts over at the breakpoint.  With four
    # CPUs, those that reach the breakpoint while the stub steps another
    # past it go by unseen, so there it asks for some forks.  All are in
    # user mode.
    forks = [cs for cs, in output.calls]
    if (len(forks) < 14 if cpus == 1 else not forks) or set(forks) - {USER_CS}:
        output.fail(f"the grader saw fork called {len(forks)} times, in user mode "
                    f"{forks.count(USER_CS)} times; the tree needs 14 (a breakpoint at "
                    f"the library's fork, through the gdb stub)")


def read_pte(monitor, va):
    """(CR3, the PTE that maps va in the page directory CR3 points at),
    read from physical memory through QEMU's monitor; the PTE is None
    if absent, both are if CR3 cannot be read."""
    regs = monitor.command("info registers")
    m = re.search(r"CR3=([0-9a-f]+)", regs)
    if not m:
        return None, None
    cr3 = int(m.group(1), 16)

    def word(pa):
        text = monitor.command("xp /1wx 0x%x" % pa)
        return int(text.split(":")[-1].strip(), 16)

    pde = word((cr3 & ~0xFFF) + (va >> 22) * 4)
    if not pde & PTE_P:
        return cr3, None
    return cr3, word((pde & ~0xFFF) + ((va >> 12) & 0x3FF) * 4)


@points(15, part="B")
def test_fork_maps_copy_on_write():
    """After fork, the data page is read-only and PTE_COW in both
    parent and child, on the same physical page; after the child writes
    it, the child's is writable on a page of its own, and neither sees
    the other's value (the PTEs read from physical memory at each
    breakpoint, through QEMU's monitor)."""
    stops = []  # (CR3, PTE) at each breakpoint, in the order they came
    with Qemu("lab4-forkcow", program="forkcow", monitor=True, timeout=30) as qemu:
        monitor = None
        try:
            pos = qemu.wait_for(r"forkcow: data page at [0-9a-f]{8}")
            va = None
            if pos is not None:
                m = re.search(rb"forkcow: data page at ([0-9a-f]{8})", qemu.output)
                va = int(m.group(1), 16)
                monitor = QemuMonitor(qemu.monitor_socket)
            # Three breakpoints: the parent's after fork, the child's
            # before and after its write.  A timer tick may let the child
            # reach its first before the parent does: which is which is
            # told by CR3 below, not by the order.
            for _ in range(3):
                if pos is None:
                    break
                pos = qemu.wait_for(r"K> ", pos)
                if pos is None or re.search(rb"user panic|kernel panic", qemu.output):
                    pos = None
                    break
                stops.append(read_pte(monitor, va))
                qemu.send("continue\n")
            if pos is not None:
                qemu.wait_for(r"forkcow: parent sees .*\n", pos)
        finally:
            if monitor:
                monitor.close()
    output = qemu.stop()
    output.expect(r"forkcow: child sees c41d", r"forkcow: parent sees 1007",
                  no=NO_USER_PANIC)
    if len(stops) != 3 or None in (x for stop in stops for x in stop):
        output.fail(f"could not read the data page's PTE at each stop: "
                    f"{[(hex(c or 0), hex(p or 0)) for c, p in stops]}")
    # The child stops twice (the same CR3), the parent once.
    cr3s = [cr3 for cr3, _ in stops]
    child = [pte for cr3, pte in stops if cr3s.count(cr3) == 2]
    parent = [pte for cr3, pte in stops if cr3s.count(cr3) == 1]
    if len(child) != 2 or len(parent) != 1:
        output.fail(f"expected two stops of the child and one of the parent, in two "
                    f"address spaces; CR3 was {', '.join(hex(c) for c in cr3s)}")
    ptes = {"parent": parent[0], "child": child[0], "child written": child[1]}
    for who in ("parent", "child"):
        pte = ptes[who]
        if pte & (PTE_P | PTE_U | PTE_COW | PTE_W) != PTE_P | PTE_U | PTE_COW:
            output.fail(f"after fork the {who}'s PTE is {pte:#010x}: expected "
                        f"present, user, PTE_COW and not writable")
    if ptes["parent"] & ~0xFFF != ptes["child"] & ~0xFFF:
        output.fail("after fork parent and child map different physical pages: "
                    "fork copied instead of sharing")
    written = ptes["child written"]
    if written & (PTE_W | PTE_COW) != PTE_W or written & ~0xFFF == ptes["parent"] & ~0xFFF:
        output.fail(f"after the child's write its PTE is {written:#010x}: expected "
                    f"writable, not PTE_COW, on a new physical page")


@points(10, part="B")
def test_fork_exit_cycles_return_everything(boot_free_pages):
    """Hundreds of fork/exit cycles (a number chosen now): every
    environment slot and every page comes back."""
    cycles = random.randint(300, 600)
    output = run(f"forkexit:{cycles}", ["pages"], timeout=60)
    output.expect(r"forkexit: %d children forked and gone; 1023 of 1024 "
                  r"environment slots free" % cycles, DONE, no=NO_USER_PANIC)
    expect_free_pages(output, boot_free_pages, f"{cycles} fork/exit cycles")


@points(10, part="B")
def test_fork_bomb_runs_out_of_environments(boot_free_pages):
    """A tree of 4,095 forks meets the 1,024-slot limit: fork fails with
    -E_NO_FREE_ENV, the tree is taken down, the kernel runs on and gets
    every page back."""
    output = run("forkbomb,hello", ["pages"], timeout=60)
    output.expect(r"forkbomb: fork: out of environments",
                  r"forkbomb: the tree is complete; everyone exits",
                  r"hello, world", DONE,
                  no=NO_USER_PANIC + [r"forkbomb: fork failed with the wrong error.*"])
    expect_free_pages(output, boot_free_pages, "the fork bomb")


@points(5, part="B")
def test_fork_bomb_runs_out_of_memory():
    """With 12 MiB of memory, a tree of 511 forks meets -E_NO_MEM; the kernel
    keeps running (copy-on-write faults that find no memory panic their
    environment, which the monitor's `continue` ends) and gets every
    page back."""
    boot = run_kernel("lab4-pages-at-boot-12m", ["pages"], memory=12).match(PAGES)
    with Qemu("lab4-forkbomb-nomem", program="forkbomb:8", memory=12, timeout=30) as qemu:
        pos = 0
        for _ in range(5000):
            pos = qemu.wait_for(r"K> ", pos)
            if pos is None:
                break
            if re.search(rb"No runnable environments in the system!\n[^K]*K> $",
                         bytes(qemu.output[-300:])):
                qemu.send("pages\n")
                pos = qemu.wait_for(PAGES, pos)
                break
            qemu.send("continue\n")
    output = qemu.stop()
    output.expect(r"forkbomb: fork: out of memory", DONE, PAGES,
                  no=NO_PANIC + [r"forkbomb: fork failed with the wrong error.*"])
    expect_free_pages(output, int(boot.group(2)) if boot else -1, "the fork bomb")


@points(10, part="B")
def test_fuzzer_covers_lab4_calls(boot_free_pages):
    """50,000 random system calls, half of them lab 4's, on two CPUs (5
    fuzzer runs from a seed picked at grading time, each checking every
    answer against its model of its pages and children): no panic, each
    fatal call as predicted, every page back, and each run's count and
    checksum of the kernel's answers as read from its memory at
    fuzz_report() (gdb stub)."""
    runs = 5
    seed = fuzz.grading_seed()
    output = fuzz.run_fuzzer(f"lab4-fuzzsys_lab4-x{runs}-2cpus", runs, seed, mode="lab4",
                             cpus=2, timeout=90)
    output.expect(DONE, no=NO_USER_PANIC)
    fuzz.check_reports(output, runs, seed)
    survived = output.matches(r"fuzzsys: (\d+) calls survived, all answers as expected")
    lab4 = output.matches(r"fuzzsys: lab 4: page_alloc (\d+), page_map (\d+), .*; (\d+) errors")
    if len(survived) != runs or len(lab4) != runs:
        output.fail(f"expected {runs} fuzzer runs with lab 4 calls; {len(survived)} finished")
    if any(int(m.group(1)) == 0 or int(m.group(3)) == 0 for m in lab4):
        output.fail("a fuzzer run made no lab 4 page calls or met no error")
    for m in output.matches(r"fuzzsys: fatal call .*: expect \"(.*)\""):
        output.expect(re.escape(m.group(1)))
    expect_free_pages(output, boot_free_pages, "fuzzing")


# ---------------------------------------------------------------- part C

USER_CS = 0x1B


def user_calls(name, program, function, nargs, limit=200, timeout=30, commands=(),
               **options):
    """Runs `program` with a breakpoint at its user function `function`
    (a library function, not inlined); returns the output, with .calls:
    (CS, its first nargs arguments from the stack) at each stop, up to
    `limit` stops.  Nothing stops there unless the program's own code
    really runs.  Once the run is over, types `commands` at the monitor;
    options go to Qemu (cpus=, ...)."""
    stop = user_symbols(program)[function]
    calls = []

    def read_arguments(stub, regs):
        args = stub.read_memory(regs["esp"] + 4, 4 * nargs)
        calls.append((regs["cs"],) + struct.unpack("<%dI" % nargs, args))

    until = PROMPT if commands else DONE + "|" + PROMPT
    output = run_with_breakpoint(name, stop, read_arguments, limit, until=until,
                                 commands=commands, program=program, timeout=timeout,
                                 **options)
    output.calls = calls
    return output


@points(10, part="C")
def test_pingpong():
    """Two environments bounce a counter from 0 to 10; the grader sees
    every value sent, at sys_ipc_try_send in user mode (a breakpoint,
    through the gdb stub)."""
    output = user_calls("lab4-pingpong", "pingpong", "sys_ipc_try_send", 2)
    lines = [r"send 0 from 1000 to 1001"]
    for i in range(11):
        lines.append(r"%s got %d from %s" % (("1001", "1000")[i % 2], i,
                                             ("1000", "1001")[i % 2]))
    output.expect(*lines, DONE, no=NO_USER_PANIC)
    sent = {value for cs, _, value in output.calls if cs == USER_CS}
    if sent != set(range(11)):
        output.fail(f"the grader saw sys_ipc_try_send called in user mode with the "
                    f"values {sorted(sent)}, not 0 to 10 (a breakpoint, through the "
                    f"gdb stub)")


@points(10, part="C")
def test_sendpage():
    """A page travels with a message and arrives at the receiver's
    address with the permissions sent."""
    output = run("sendpage")
    output.expect(r"1001 got message from 1000: hello child, from your parent",
                  r"1001: the page arrived intact, perm 7",
                  r"1000 got message from 1001: hello parent, from your child",
                  r"1000: the page arrived intact, perm 7", DONE,
                  no=NO_USER_PANIC + [r"sendpage: wrong.*"])


def primes(n):
    found = []
    k = 2
    while len(found) < n:
        if all(k % p for p in found):
            found.append(k)
        k += 1
    return found


@points(10, part="C")
def test_primes():
    """The prime sieve on four CPUs: a chain of a hundred environments
    passing numbers along."""
    expected = primes(100)
    # The prompt comes early only if something panicked.
    output = run("primes", until=r"CPU -?\d+: %d\n|K> " % expected[-1], cpus=4,
                 timeout=60)
    output.expect(*[r"CPU -?\d+: %d" % p for p in expected], no=NO_USER_PANIC)


@points(5, part="C")
def test_fairness():
    """A receiver gets 200 messages in order while a third environment
    keeps running between them (scheduler round-robin, PTE_SHARE page)."""
    output = run("fairness")
    output.expect(r"fairness: 200 messages received in order; meanwhile the "
                  r"counter ran between them", DONE, no=NO_USER_PANIC)


@points(10, part="C")
def test_ipc_call_and_reply():
    """ExoLab's combined calls: 1,000 calls answered in order, a page
    sent both ways, and while a client waits in ipc_call nobody but its
    server reaches it."""
    output = run("ipccall")
    output.expect(r"ipccall: 1000 calls, 0 wrong replies",
                  r"ipccall: page reply 22, perm 7: lenrekoxe",
                  r"ipccall: the intruder was refused every time while the "
                  r"client waited for its server, then got through",
                  r"ipccall: open receive got 42 from the intruder", DONE,
                  no=NO_USER_PANIC + [r"ipccall: call .*",
                                      r"ipccall: the intruder's message reached.*"])


# ======================================================================
# Multiprocessor boot, the kernel lock, scheduling and preemption
# (test_smp_*, test_sched_*, test_preempt_*).
# ======================================================================

KERNBASE = 0xF0000000
ULIM = 0xEF800000
NOT_IMPLEMENTED = [r".*not implemented.*"]
PROMPT = r"K> "


@pytest.fixture(scope="module")
def kernel_symbols():
    return symbols(build().require(build().kernel))


def function_range(syms, name):
    """[start, end) of the kernel function `name`: up to the next symbol."""
    start = syms[name]
    return start, min(a for a in syms.values() if a > start)


def stop_all_cpus(stub):
    """Stops the machine; returns each virtual CPU's registers, CPU 0
    first."""
    stop = stub.interrupt()
    if not stop.startswith("T") and not stop.startswith("S"):
        raise AssertionError(f"QEMU's gdb stub did not stop: {stop!r}")
    return [stub.thread_registers(t) for t in stub.threads()]


def watch_cpus(name, cpus, until, check, tries=20, program=None, extra=(),
               timeout=40, finish=None, needs=None, interval=0.2):
    """Boots with the gdb stub, runs until the output matches `until`,
    then stops the machine up to `tries` times, `interval` s apart, until
    check(registers of every CPU) is true; then lets it run on until the
    output matches `finish`, if given.  If the output by then has no line
    matching `needs`, nothing is worth looking at: it stops at once.
    Returns (output, whether check ever held, the last registers seen)."""
    seen, ok = [], False
    with Qemu(name, program=program, cpus=cpus, gdb=True, extra=extra,
              timeout=timeout) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        try:
            stub.resume()
            position = qemu.wait_for(until)
            if needs is not None and position is not None and not re.search(
                    needs.encode(), bytes(qemu.output[:position])):
                position = None
            if position is not None:
                for _ in range(tries):
                    seen = stop_all_cpus(stub)
                    if check(seen):
                        ok = True
                        break
                    stub.resume()
                    time.sleep(interval)
                if ok and finish is not None:
                    stub.resume()
                    qemu.wait_for(finish)
        finally:
            stub.close()
    return qemu.stop(), ok, seen


def describe(regs):
    return ", ".join(f"CPU {i} eip {r['eip']:#010x}" for i, r in enumerate(regs))


@pytest.mark.parametrize("smp,n", [("2", 2), ("4", 4), ("4,sockets=4", 4)],
                         ids=["smp2", "smp4-cores", "smp4-sockets"])
@points(5, part="A")
def test_smp_finds_and_starts_cpus(kernel_symbols, smp, n):
    """ACPI's MADT finds every CPU, one socket of four cores included
    (where the MP table lists one); each starts, runs kernel code and
    waits, halted, in the scheduler's idle loop."""
    idle = function_range(kernel_symbols, "sched_idle")

    def all_idle(regs):
        return len(regs) == n and all(idle[0] <= r["eip"] < idle[1] for r in regs[1:])

    output, ok, regs = watch_cpus(f"lab4-smp-{smp}", smp, PROMPT, all_idle,
                                  needs=r"SMP: CPU %d starting" % (n - 1))
    output.expect(r"SMP: %d CPUs found through the ACPI MADT \(boot CPU: APIC id 0\)" % n,
                  *[r"SMP: CPU %d starting" % i for i in range(1, n)],
                  r"Welcome to the ExoLab kernel monitor!",
                  no=NO_PANIC + [r"SMP: CPU \d+ .*did not start.*"])
    if len(regs) != n:
        output.fail(f"QEMU has {len(regs)} CPUs; expected {n}")
    if not ok:
        output.fail(f"the other CPUs are not all halted in sched_idle "
                    f"({idle[0]:#x}-{idle[1]:#x}): {describe(regs)}")


@pytest.mark.parametrize("smp,n", [("2,sockets=2", 2), ("2,sockets=1,cores=2", 1)],
                         ids=["two-sockets", "two-cores"])
@points(5, part="A")
def test_smp_falls_back_to_the_mp_table(smp, n):
    """Without ACPI the MP table is used: it lists a CPU per socket, so
    two cores of one socket boot as one CPU, which still runs programs.
    (The topology is spelled out: a bare -smp 2 is two cores from QEMU
    6.2 on, two sockets before.)"""
    output = run_kernel(f"lab4-smp-noacpi-{smp}", program="hello", cpus=smp,
                        extra=["-machine", "acpi=off"], pc_bios=True)
    output.expect(r"ACPI: no RSDP found",
                  r"SMP: %d CPUs? found through the MP configuration table.*" % n,
                  *[r"SMP: CPU %d starting" % i for i in range(1, n)],
                  r"hello, world", DONE, no=NO_PANIC)


def find_madt(stub):
    """The physical address of the MADT QEMU's firmware built, found as
    the ACPI specification says: the RSDP on a 16-byte boundary of
    0xE0000-0xFFFFF (where SeaBIOS puts it), then its RSDT."""
    def read(pa, n):    # through the kernel's KERNBASE window
        return b"".join(stub.read_memory(KERNBASE + a, min(2048, pa + n - a))
                        for a in range(pa, pa + n, 2048))
    rom = read(0xE0000, 0x20000)
    rsdp = next((o for o in range(0, len(rom) - 20, 16)
                 if rom[o:o + 8] == b"RSD PTR " and sum(rom[o:o + 20]) % 256 == 0), None)
    if rsdp is None:
        raise GradeFailure("QEMU's firmware left no ACPI RSDP in 0xE0000-0xFFFFF")
    rsdt = int.from_bytes(rom[rsdp + 16:rsdp + 20], "little")
    length = int.from_bytes(read(rsdt + 4, 4), "little")
    entries = read(rsdt + 36, length - 36)
    for i in range(0, len(entries), 4):
        table = int.from_bytes(entries[i:i + 4], "little")
        if read(table, 4) == b"APIC":
            return table
    raise GradeFailure("QEMU's RSDT lists no MADT")


def corrupt_madt(madt, how):
    """The bytes of a malformed copy of madt (QEMU's MADT) and the
    kernel's warning about it."""
    bad = bytearray(madt)
    if how == "checksum":
        bad[9] = (bad[9] + 1) & 0xFF
        return bad, r"ACPI: a table at [0-9a-f]+ has a bad checksum"
    if how == "table-length":
        # Past the end of what the kernel maps (and of the machine).
        bad[4:8] = (0xFFFFFF00).to_bytes(4, "little")
        return bad, r"ACPI: a table at [0-9a-f]+ has a bad length 4294967040"
    # An entry of length 0 (a naive parser loops on it forever), after a
    # valid first entry (whose CPU must be forgotten); the checksum still
    # holds, so that only the entry's length can reject it.
    second = 44 + madt[45]
    bad[9] = (bad[9] + bad[second + 1]) & 0xFF
    bad[second + 1] = 0
    return bad, r"ACPI: MADT entry at offset %d has a bad length 0" % second


@pytest.mark.parametrize("how", ["checksum", "table-length", "entry-length"])
@points(2, part="A")
def test_smp_survives_a_malformed_madt(kernel_symbols, how):
    """A malformed MADT (a bad checksum, a length beyond memory, an
    entry of length 0), written into memory through the gdb stub just
    before the kernel reads it, costs a warning: the kernel falls back
    to the MP table (two sockets: two CPUs), starts both CPUs and runs
    a program, without a panic."""
    entry, panic = kernel_symbols["acpi_find_cpus"], kernel_symbols["_panic"]
    with Qemu(f"lab4-smp-bad-madt-{how}", program="hello", cpus="2,sockets=2",
              gdb=True, timeout=30, pc_bios=True) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        try:
            stub.set_breakpoint(entry)
            stub.set_breakpoint(panic)     # fail fast on an earlier panic
            stop = stub.cont(timeout=20)
            regs = stub.registers()
            if regs["eip"] == entry:
                madt = find_madt(stub)
                length = int.from_bytes(stub.read_memory(KERNBASE + madt + 4, 4), "little")
                bad, warning = corrupt_madt(stub.read_memory(KERNBASE + madt, length), how)
                stub.write_memory(KERNBASE + madt, bytes(bad))
                stub.clear_breakpoint(entry)
                stub.resume()
                qemu.wait_for(DONE + "|kernel panic")
        finally:
            stub.close()
    output = qemu.stop()
    if regs["eip"] != entry:
        output.fail("the kernel never called acpi_find_cpus" + panicked(stop, regs, kernel_symbols))
    output.expect(warning, r"SMP: 2 CPUs found through the MP configuration table.*",
                  r"SMP: CPU 1 starting", r"hello, world", DONE,
                  no=NO_PANIC + [r"SMP: \d+ CPUs? found through the ACPI MADT.*"])


@points(5, part="A")
def test_smp_user_code_runs_on_two_cpus_at_once():
    """With four CPUs, the environments of whichcpu run side by side:
    stopping the machine finds two CPUs in user mode at once."""
    def two_in_user_mode(regs):
        return sum(r["eip"] < ULIM for r in regs) >= 2

    output, ok, regs = watch_cpus("lab4-smp-whichcpu", 4,
                                  r"(\[00001000\] new env 00001003|K> )",
                                  # The four finish within about a second:
                                  # look often while they run (a loaded
                                  # host once let 0.2 s apart miss them).
                                  two_in_user_mode, tries=100, interval=0.03,
                                  program="whichcpu",
                                  timeout=60, finish=PROMPT,
                                  needs=r"\[00001000\] new env 00001003")
    if not ok:
        output.fail(f"never saw two CPUs running user code at once; last "
                    f"stop: {describe(regs)}")
    output.expect(DONE, no=NO_PANIC)
    if len(output.matches(r"\[0000100[0-3]\] whichcpu: ran on CPUs? [0-9 ]+")) != 4:
        output.fail("the four whichcpu environments did not all finish")


@pytest.mark.parametrize("misuse,pattern", [
    ("twice", r"spin_lock: recursive acquire: CPU 0 at mon_lockcheck\+0x[0-9a-f]+ "
              r"\(kernel/spinlock\.[ch]:\d+\): test_lock is held by CPU 0, taken at "
              r"mon_lockcheck\+0x[0-9a-f]+ \(kernel/spinlock\.[ch]:\d+\)"),
    ("unheld", r"spin_unlock: release by a non-holder: CPU 0 at "
               r"mon_lockcheck\+0x[0-9a-f]+ \(kernel/spinlock\.[ch]:\d+\): test_lock "
               r"is not held by any CPU"),
], ids=["recursive-acquire", "release-unheld"])
@points(3, part="A")
def test_smp_spinlock_names_the_holder(misuse, pattern):
    """Taking a lock twice, or releasing one not held, stops the kernel
    with a message naming this CPU, the code, and the holder."""
    output = run_kernel(f"lab4-smp-lockcheck-{misuse}", [f"lockcheck {misuse}"], cpus=2)
    output.expect(r"K> lockcheck %s" % misuse,
                  r"kernel panic at kernel/spinlock\.c:\d+: " + pattern)


@points(5, part="A")
def test_sched_yield_round_robin():
    """Three environments that yield take turns: all have said hello
    before any has finished; each counts its iterations in order."""
    envs = ["00001000", "00001001", "00001002"]
    output = run("yield+yield+yield", cpus=1)
    output.expect(*[r"Back in environment %s, iteration %d, cpu 0\." % (envs[0], i)
                    for i in range(5)],
                  r"All done in environment %s\." % envs[0], DONE,
                  no=NO_PANIC + NOT_IMPLEMENTED)
    first_done = min(output.find(r"All done in environment %s\." % e) for e in envs)
    for e in envs:
        output.expect(*[r"Back in environment %s, iteration %d, cpu 0\." % (e, i)
                        for i in range(5)], r"All done in environment %s\." % e)
        hello = output.find(r"Hello, I am environment %s, cpu 0\." % e)
        if hello < 0 or hello > first_done:
            output.fail(f"environment {e} had not started when the first "
                        f"one finished: not round robin")


@points(10, part="A")
def test_sched_stresssched_never_runs_an_env_twice():
    """Twenty environments yielding and counting on four CPUs: no count
    comes out short, which an environment running on two CPUs at once
    would cause."""
    output = run("stresssched", cpus=4, timeout=120)
    output.expect(DONE, no=NO_PANIC + NOT_IMPLEMENTED + [r".*ran on two CPUs.*",
                                                         r".*user panic.*"])
    counted = output.matches(r"\[0000[0-9a-f]{4}\] stresssched on CPU (\d): "
                             r"counted 100000, as expected")
    # (Which CPUs they ran on depends on how busy the host is: that
    # several CPUs run user code at once is test_smp_user_code_runs_on_
    # two_cpus_at_once's to check, through the gdb stub.)
    if len(counted) != 20:
        output.fail(f"{len(counted)} of the 20 children finished their count")


@points(5, part="C")
def test_preempt_timer_takes_the_cpu_from_a_spinner():
    """On one CPU, a child that never yields is preempted by the timer,
    so its parent runs again and destroys it."""
    output = run("spin", cpus=1)
    output.expect(r"I am the parent\.  Forking the child\.\.\.",
                  r"I am the child\.  Spinning\.\.\.",
                  r"I am the parent\.  Killing the child\.\.\.",
                  r"\[00001000\] destroying 00001001",
                  r"\[00001000\] free env 00001001",
                  DONE, no=NO_PANIC + NOT_IMPLEMENTED)


@points(5, part="C")
def test_preempt_env_destroyed_on_another_cpu_dies_there():
    """On two CPUs the spinning child runs on the other CPU when its
    parent destroys it: it is marked dying and freed by its own CPU at
    its next trap (the timer's)."""
    output = run("spin", cpus=2)
    output.expect(r"I am the parent\.  Killing the child\.\.\.",
                  r"\[00001000\] destroying 00001001",
                  r"\[00001001\] free env 00001001",
                  DONE, no=NO_PANIC + NOT_IMPLEMENTED, ordered=False)


@points(5, part="C")
def test_preempt_idle_cpus_halt(kernel_symbols):
    """While the boot CPU sits in the monitor, the three others wait in
    the idle loop, stopped at its `hlt` (an idle machine does not spin)."""
    start, end = function_range(kernel_symbols, "sched_idle")
    after_hlt = []

    def halted(regs):
        return bool(after_hlt) and all(r["eip"] in after_hlt for r in regs[1:])

    with Qemu("lab4-preempt-idle", cpus=4, gdb=True, timeout=40) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        ok, regs = False, []
        try:
            stub.resume()
            position = qemu.wait_for(PROMPT)
            if position is not None and b"SMP: CPU 3 starting" in qemu.output:
                time.sleep(1)
                for _ in range(20):
                    regs = stop_all_cpus(stub)
                    if not after_hlt:
                        # The instruction after each hlt (0xf4): where a
                        # halted CPU's eip points.  Read through CPU 0's
                        # page tables (another CPU may never have run).
                        stub.thread_registers(stub.threads()[0])
                        code = stub.read_memory(start, end - start)
                        after_hlt = [start + i + 1 for i, b in enumerate(code)
                                     if b == 0xF4]
                    if halted(regs):
                        ok = True
                        break
                    stub.resume()
                    time.sleep(interval)
        finally:
            stub.close()
    output = qemu.stop()
    output.expect(r"SMP: CPU 3 starting", r"Welcome to the ExoLab kernel monitor!",
                  no=NO_PANIC)
    if not after_hlt:
        output.fail("sched_idle has no hlt instruction")
    if not ok:
        output.fail(f"the other CPUs are not halted in sched_idle (after its "
                    f"hlt: {[hex(a) for a in after_hlt]}): {describe(regs)}")
