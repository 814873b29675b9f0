"""Lab 3: user environments, traps and system calls.

Part A: environments run and exceptions are caught.  Part B: page
faults, breakpoints, system calls and user pointer checks.  Each test
boots the kernel with one user program (run=NAME on the kernel command
line) and reads what the kernel says about it.
"""
import re

import pytest

from gradelib import points, run_kernel

NO_PANIC = [r"kernel panic.*"]
ENV = r"00001000"
DONE = r"No runnable environments in the system!"


def run(program, commands=(), **options):
    return run_kernel(f"lab3-{program.replace('*', 'x').replace(',', '+')}",
                      commands, program=program, **options)


def trap_frame(trap, name, err=None):
    """The lines of a trap frame dump that identify the trap."""
    lines = [r"TRAP frame at 0x[0-9a-f]{8}", r"  trap 0x%08x %s" % (trap, name)]
    if err is not None:
        lines.append(r"  err  0x%08x( \[.*\])?" % err)
    lines += [r"  eip  0x00800[0-9a-f]{3}", r"  cs   0x----001b",
              r"  ss   0x----0023"]
    return lines


# ---------------------------------------------------------------- part A

@points(20, part="A")
def test_hello():
    """The first environment runs, prints, and exits gracefully."""
    output = run("hello")
    output.expect(r"\[00000000\] new env %s" % ENV,
                  r"hello, world",
                  r"i am environment %s" % ENV,
                  r"\[%s\] exiting gracefully" % ENV,
                  r"\[%s\] free env %s" % (ENV, ENV),
                  DONE, r"Welcome to the ExoLab kernel monitor!",
                  no=NO_PANIC)


@points(10, part="A")
def test_divzero():
    output = run("divzero")
    output.expect(r"\[00000000\] new env %s" % ENV,
                  *trap_frame(0, "Divide error", 0),
                  r"\[%s\] free env %s" % (ENV, ENV), DONE,
                  no=NO_PANIC + [r"1/0 is .*"])


@points(10, part="A")
def test_softint():
    """`int $14` from user mode is a general protection fault."""
    output = run("softint")
    output.expect(*trap_frame(13, "General Protection"),
                  r"\[%s\] free env %s" % (ENV, ENV), DONE,
                  no=NO_PANIC + [r"  trap 0x0000000e Page Fault"])


@points(10, part="A")
def test_badsegment():
    output = run("badsegment")
    output.expect(*trap_frame(13, "General Protection"),
                  r"\[%s\] free env %s" % (ENV, ENV), DONE, no=NO_PANIC)


@points(5, part="A")
def test_environment_ids_and_sequence():
    """Programs run one after another; reusing slot 0 bumps the id's
    generation: 00001000, then 00002000."""
    output = run("hello*2,divzero")
    output.expect(r"i am environment 00001000", r"\[00001000\] free env 00001000",
                  r"\[00000000\] new env 00002000", r"i am environment 00002000",
                  r"\[00000000\] new env 00003000", r"  trap 0x00000000 Divide error",
                  DONE, no=NO_PANIC)


# ---------------------------------------------------------------- part B

@pytest.mark.parametrize("program,va,err", [
    ("faultread", "00000000", 4),
    ("faultreadkernel", "f0100000", 5),
    ("faultwrite", "00000000", 6),
    ("faultwritekernel", "f0100000", 7),
], ids=["faultread", "faultreadkernel", "faultwrite", "faultwritekernel"])
@points(5, part="B")
def test_user_page_faults(program, va, err):
    """A user page fault destroys only the environment, with the error
    code saying user/kernel, read/write, not-present/protection."""
    output = run(program)
    output.expect(r"\[%s\] user fault va %s ip 00800[0-9a-f]{3}" % (ENV, va),
                  *trap_frame(14, "Page Fault", err),
                  r"\[%s\] free env %s" % (ENV, ENV), DONE,
                  no=NO_PANIC + [r"I read .*"])


@points(10, part="B")
def test_breakpoint_enters_monitor_and_continues():
    """int3 shows the trap frame and enters the monitor; stepi runs one
    instruction; continue resumes the program."""
    output = run("breakpoint", ["stepi", "si", "continue"])
    output.expect(*trap_frame(3, "Breakpoint"),
                  r"Welcome to the ExoLab kernel monitor!",
                  r"K> stepi", r"stepped to eip 00800[0-9a-f]{3}",
                  r"K> si", r"stepped to eip 00800[0-9a-f]{3}",
                  r"K> continue", r"breakpoint: resumed after int3",
                  r"\[%s\] exiting gracefully" % ENV, DONE, no=NO_PANIC)


@points(10, part="B")
def test_testbss():
    """A 4 MiB .bss is zeroed and writable; writing past it faults."""
    output = run("testbss")
    output.expect(r"Making sure bss works right\.\.\.",
                  r"Yes, good\.  Now doing a wild write off the end\.\.\.",
                  r"\[%s\] user fault va 00c0[0-9a-f]{4} ip 008[0-9a-f]{5}" % ENV,
                  DONE, no=NO_PANIC + [r".*SHOULD HAVE TRAPPED.*", r".*isn't cleared.*"])


@pytest.mark.parametrize("program,va", [
    ("buggyhello", "00000001"),
    ("buggyhello2", "008[0-9a-f]{5}"),
    ("evilhello", "f010000c"),
], ids=["buggyhello", "buggyhello2", "evilhello"])
@points(5, part="B")
def test_user_pointers_are_checked(program, va):
    """sys_cputs checks the whole range: a bad pointer destroys the
    caller, never the kernel."""
    output = run(program)
    output.expect(r"\[%s\] user_mem_check assertion failure for va %s" % (ENV, va),
                  r"\[%s\] free env %s" % (ENV, ENV), DONE,
                  no=NO_PANIC + [r"hello"])


@points(10, part="B")
def test_malformed_elf_images_are_rejected():
    """Each broken ELF image fails to load with a message; the kernel
    goes on to run the next program."""
    kinds = ["magic", "truncated", "phdrs", "segment", "utop", "entry"]
    output = run(",".join(f"badelf-{k}" for k in kinds) + ",hello")
    output.expect(*[r"env_create: badelf-%s: bad ELF image: .+" % k for k in kinds],
                  r"hello, world", DONE, no=NO_PANIC)


@points(3, part="B")
def test_unknown_program_is_reported():
    output = run("nosuchprogram")
    output.expect(r"run: no program called 'nosuchprogram'; there are: .*hello.*",
                  no=NO_PANIC)


@points(5, part="B")
def test_user_panic_names_the_program():
    """A user panic says which environment and program, where and why,
    stops in the monitor, and exits on `continue`."""
    output = run("userpanic", ["continue"])
    output.expect(r"\[%s\] user panic in userpanic at user/userpanic\.c:\d+: "
                  r"this program panics on purpose \(42\)" % ENV,
                  r"  trap 0x00000003 Breakpoint", r"K> continue",
                  r"\[%s\] exiting gracefully" % ENV, DONE, no=NO_PANIC)


@points(10, part="B")
def test_fuzzer_finds_no_fault_and_no_leak():
    """100,000 random system calls (10 fuzzer runs of 10,000, each
    checking every answer and ending with one fatal call): no panic, each
    fatal call answered as predicted, and every page freed again."""
    runs = 10
    before = run_kernel("lab3-pages-before-fuzz", ["pages"])
    output = run(f"fuzzsys*{runs}", ["pages"], timeout=120)
    output.expect(DONE, no=NO_PANIC + [r".*user panic.*"])
    survived = output.matches(r"fuzzsys: (\d+) calls survived, all answers as expected")
    if len(survived) != runs or sum(int(m.group(1)) for m in survived) < 100000:
        output.fail(f"expected {runs} fuzzer runs of 10,000 surviving calls each; "
                    f"{len(survived)} finished")
    for m in output.matches(r"fuzzsys: fatal call .*: expect \"(.*)\""):
        output.expect(re.escape(m.group(1)))
    pattern = r"(K> )?pages: \d+ total, (\d+) free.*"
    free_before, free_after = before.match(pattern), output.match(pattern)
    if not free_before or not free_after:
        output.fail("missing the `pages` output before or after fuzzing")
    if free_before.group(2) != free_after.group(2):
        output.fail(f"free pages: {free_before.group(2)} before fuzzing, "
                    f"{free_after.group(2)} after: pages leaked")


@points(3, part="B")
def test_library_returns_errors():
    """The library's stubs return a failed call's error to the caller,
    which goes on running: nothing panics."""
    output = run("errorreturn")
    output.expect(r"errorreturn: sys_env_destroy\(0x7fffffff\) = -2",
                  r"errorreturn: sys_env_destroy\(-1\) = -2",
                  r"errorreturn: still running",
                  r"\[%s\] exiting gracefully" % ENV, DONE,
                  no=NO_PANIC + [r".*user panic.*"])
