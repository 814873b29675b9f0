"""Lab 3: user environments, traps and system calls.

Part A: environments run and exceptions are caught.  Part B: page
faults, breakpoints, system calls and user pointer checks.  Each test
boots the kernel with one user program (run=NAME on the kernel command
line) and reads what the kernel says about it.  Part "hostile": user
programs that attack the kernel (user/hostile_*.c, docs/robustness.md).
"""
import functools
import random
import re
import struct

import pytest
import gradelib
from gradelib import fuzz

from gradelib import (GdbStub, Qemu, QemuMonitor, build, points,
                     resume_until_stop, run_kernel, symbols)

NO_PANIC = [r"kernel panic.*"]
# What running any program needs (exercises 2, 4 and 7); the tests of
# user pointers need user_mem_check (exercise 9) too.
RUN_STUBS = ("env_init", "env_setup_vm", "region_alloc", "load_icode", "env_run",
             "trap_init", "syscall")
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


# ------------------------------------------- watching through the gdb stub

USER_CS = 0x1B
T_SYSCALL = 48
# struct Trapframe (kernel/inc/trap.h): the pushed registers, es, ds,
# trapno, err, eip, cs, eflags, esp, ss (segments padded to 32 bits).
TRAPFRAME = struct.Struct("<8I HH HH 3I HH I I HH")
TRAPFRAME_FIELDS = ["edi", "esi", "ebp", "oesp", "ebx", "edx", "ecx", "eax",
                    "es", None, "ds", None, "trapno", "err", "eip", "cs", None,
                    "eflags", "esp", "ss", None]


def user_entry(program):
    """The entry point of user program `program` (its ELF header)."""
    data = build().require(build().objdir / "user" / program).read_bytes()
    return struct.unpack_from("<I", data, 0x18)[0]


def run_watched(program, trapno, argument=None):
    """Runs `program` with QEMU under the grader's eye: it stops at the
    program's entry point (which must be reached in user mode, CS =
    0x1b), then in trap() at the first trap from user mode numbered
    trapno, and reads the trapframe trap() was given.  Returns the
    output, with .entry_cs and .trapframe (None where never reached)."""
    entry = user_entry(program)
    trap = symbols(build().require(build().kernel))["trap"]
    entry_cs = frame = None
    entry_name = program if argument is None else f"{program}:{argument}"
    with Qemu(f"lab3-{program}-watched", program=entry_name, gdb=True, timeout=30) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        try:
            stub.set_breakpoint(entry)
            if (resume_until_stop(stub, qemu) or "").startswith("T05"):
                regs = stub.registers()
                if regs["eip"] == entry:
                    entry_cs = regs["cs"]
            stub.clear_breakpoint(entry)
            stub.set_breakpoint(trap)
            # A few traps (system calls) may come before the one wanted.
            for _ in range(64):
                if entry_cs is None or not (resume_until_stop(stub, qemu) or "").startswith("T05"):
                    break
                regs = stub.registers()
                if regs["eip"] != trap:
                    break
                pointer = struct.unpack("<I", stub.read_memory(regs["esp"] + 4, 4))[0]
                values = TRAPFRAME.unpack(stub.read_memory(pointer, TRAPFRAME.size))
                tf = {k: v for k, v in zip(TRAPFRAME_FIELDS, values) if k}
                if tf["trapno"] == trapno and tf["cs"] & 3 == 3:
                    frame = tf
                    break
                # Past the breakpoint, to the next trap.
                stub.clear_breakpoint(trap)
                stub.step()
                stub.set_breakpoint(trap)
            stub.clear_breakpoint(trap)
            stub.resume()
            # The end of the run, or a panic (then the monitor waits).
            qemu.wait_for(DONE + r"|kernel panic at ")
        finally:
            stub.close()
    output = qemu.stop()
    output.entry_cs, output.trapframe = entry_cs, frame
    return output


def expect_user_mode(output, program, trapno, what):
    """The program entered user mode and trapped (trapno) from it."""
    if output.entry_cs is None:
        output.fail(f"{program} never started: QEMU never reached its entry point "
                    f"{user_entry(program):#x} (the grader watched through the gdb stub)")
    if output.entry_cs != USER_CS:
        output.fail(f"{program} started with CS = {output.entry_cs:#x}, not in user "
                    f"mode (CS = {USER_CS:#x}): check env_alloc's segments and env_pop_tf")
    if output.trapframe is None:
        output.fail(f"trap() was never called with {what} (trap {trapno}) from "
                    f"user mode (the grader watched through the gdb stub)")


def expect_printed_frame(output, tf):
    """The trap frame the kernel printed is the one trap() was given."""
    for field in ("trapno", "err", "eip", "eax", "ebx", "ecx", "edx", "esi", "edi",
                  "ebp", "esp"):
        name = {"trapno": "trap"}.get(field, field)
        value = r"0x%08x" % tf[field]
        if output.find(r"  %-4s %s( .*)?" % (name, value)) < 0:
            m = output.match(r"  %-4s (0x[0-9a-f]{8}).*" % name)
            output.fail(f"the trap frame printed says {name} "
                        f"{m.group(1) if m else '(nothing)'}; trap() was given "
                        f"{value} (the grader read it through the gdb stub)")


# ---------------------------------------------------------------- part A

@points(20, part="A")
@gradelib.stubs(*RUN_STUBS)
def test_hello():
    """The first environment runs in user mode, prints through system
    calls (its id, mixed with a number picked at grading time), and
    exits gracefully."""
    number = random.SystemRandom().randrange(1 << 16, 1 << 31)
    output = run_watched("hello", T_SYSCALL, number)
    output.expect(r"\[00000000\] new env %s" % ENV,
                  r"hello, world",
                  r"i am environment %s" % ENV,
                  r"hello: %d xor my id is %08x" % (number, number ^ int(ENV, 16)),
                  r"\[%s\] exiting gracefully" % ENV,
                  r"\[%s\] free env %s" % (ENV, ENV),
                  DONE, no=NO_PANIC)
    expect_user_mode(output, "hello", T_SYSCALL, "a system call")


@points(10, part="A")
@gradelib.stubs(*RUN_STUBS)
def test_divzero():
    output = run_watched("divzero", 0)
    output.expect(r"\[00000000\] new env %s" % ENV,
                  *trap_frame(0, "Divide error", 0),
                  r"\[%s\] free env %s" % (ENV, ENV), DONE,
                  no=NO_PANIC + [r"1/0 is .*"])
    expect_user_mode(output, "divzero", 0, "a divide error")
    expect_printed_frame(output, output.trapframe)


@points(10, part="A")
@gradelib.stubs(*RUN_STUBS)
def test_softint():
    """`int $14` from user mode is a general protection fault."""
    output = run_watched("softint", 13)
    output.expect(*trap_frame(13, "General Protection"),
                  r"\[%s\] free env %s" % (ENV, ENV), DONE,
                  no=NO_PANIC + [r"  trap 0x0000000e Page Fault"])
    expect_user_mode(output, "softint", 13, "a general protection fault")
    expect_printed_frame(output, output.trapframe)


@points(10, part="A")
@gradelib.stubs(*RUN_STUBS)
def test_badsegment():
    output = run_watched("badsegment", 13)
    output.expect(*trap_frame(13, "General Protection"),
                  r"\[%s\] free env %s" % (ENV, ENV), DONE, no=NO_PANIC)
    expect_user_mode(output, "badsegment", 13, "a general protection fault")
    expect_printed_frame(output, output.trapframe)


@points(5, part="A")
@gradelib.stubs(*RUN_STUBS)
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
@gradelib.stubs(*RUN_STUBS)
def test_user_page_faults(program, va, err):
    """A user page fault destroys only the environment, with the error
    code saying user/kernel, read/write, not-present/protection."""
    output = run(program)
    output.expect(r"\[%s\] user fault va %s ip 00800[0-9a-f]{3}" % (ENV, va),
                  *trap_frame(14, "Page Fault", err),
                  r"\[%s\] free env %s" % (ENV, ENV), DONE,
                  no=NO_PANIC + [r"I read .*"])


@points(10, part="B")
@gradelib.stubs(*RUN_STUBS)
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
@gradelib.stubs(*RUN_STUBS)
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
@gradelib.stubs(*RUN_STUBS, "user_mem_check")
def test_user_pointers_are_checked(program, va):
    """sys_cputs checks the whole range: a bad pointer destroys the
    caller, never the kernel."""
    output = run(program)
    output.expect(r"\[%s\] user_mem_check assertion failure for va %s" % (ENV, va),
                  r"\[%s\] free env %s" % (ENV, ENV), DONE,
                  no=NO_PANIC + [r"hello"])


@points(10, part="B")
@gradelib.stubs(*RUN_STUBS)
def test_malformed_elf_images_are_rejected():
    """Each broken ELF image fails to load with a message; the kernel
    goes on to run the next program."""
    kinds = ["magic", "truncated", "header", "phdrs", "phnum", "segment", "pastend",
             "filesz", "utop", "entry"]
    output = run(",".join(f"badelf-{k}" for k in kinds) + ",hello")
    output.expect(*[r"env_create: badelf-%s: bad ELF image: .+" % k for k in kinds],
                  r"hello, world", DONE, no=NO_PANIC)


@points(3, part="B")
@gradelib.stubs(*RUN_STUBS)
def test_unknown_program_is_reported():
    output = run("nosuchprogram")
    output.expect(r"run: no program called 'nosuchprogram'; there are: .*hello.*",
                  no=NO_PANIC)


@points(5, part="B")
@gradelib.stubs(*RUN_STUBS)
def test_user_panic_names_the_program():
    """A user panic says which environment and program, where and why,
    stops in the monitor, and exits on `continue`."""
    output = run("userpanic", ["continue"])
    output.expect(r"\[%s\] user panic in userpanic at user/userpanic\.c:\d+: "
                  r"this program panics on purpose \(42\)" % ENV,
                  r"  trap 0x00000003 Breakpoint", r"K> continue",
                  r"\[%s\] exiting gracefully" % ENV, DONE, no=NO_PANIC)


SYSCALL_NAMES = {0: "sys_cputs", 1: "sys_cgetc", 2: "sys_getenvid", 3: "sys_env_destroy"}


def fuzz_context(output):
    """Where the fuzzer was when the run went wrong: the call the kernel
    was handling (kernel/panic.c prints it after a panic), the run that
    did not finish, and how to replay it."""
    lines = []
    call = output.match(r"  env ([0-9a-f]{8})'s last trap: system call (\d+) \((.*)\)")
    if call:
        number = int(call.group(2))
        lines.append(f"the fuzzer (env {call.group(1)}) was making system call "
                     f"{number} ({SYSCALL_NAMES.get(number, 'no such call')}) with "
                     f"arguments ({call.group(3)}) when the kernel panicked")
    started = output.matches(r"fuzzsys: env ([0-9a-f]{8}) seed (\d+)")
    finished = len(output.matches(r"fuzzsys: \d+ calls survived.*"))
    if len(started) > finished:
        env, seed = started[finished].group(1), started[finished].group(2)
        lines.append(f"fuzzer run {finished + 1} (env {env}, seed {seed}) did not "
                     f"finish; replay it alone with: make run-fuzzsys-nox "
                     f"EXTRA_CFLAGS=-DFUZZ_STREAM_SEED={seed}")
    lines.append("lab3/README.md, exercise 10, \"When the fuzzer finds something\", "
                 "explains the fuzzer's messages")
    return "".join("\n    " + line for line in lines)


@points(10, part="B")
@gradelib.stubs(*RUN_STUBS, "user_mem_check")
def test_fuzzer_finds_no_fault_and_no_leak():
    """100,000 random system calls (10 fuzzer runs of 10,000, each
    checking every answer and ending with one fatal call), from a seed
    chosen at grading time: no panic, each fatal call answered as
    predicted, every page freed again, and each run's count and checksum
    of the kernel's answers as the grader read them from the fuzzer's
    memory through the gdb stub."""
    runs = 10
    seed = fuzz.grading_seed()
    before = run_kernel("lab3-pages-before-fuzz", ["pages"])
    output = fuzz.run_fuzzer(f"lab3-fuzzsys-x{runs}", runs, seed, timeout=120)
    try:
        check_fuzz_run(output, before, runs, seed)
    except gradelib.GradeFailure as failure:
        raise gradelib.GradeFailure(str(failure) + fuzz_context(output)) from None


def check_fuzz_run(output, before, runs, seed):
    output.expect(DONE, no=NO_PANIC + [r".*user panic.*"])
    survived = output.matches(r"fuzzsys: (\d+) calls survived, all answers as expected")
    if len(survived) != runs or sum(int(m.group(1)) for m in survived) < 100000:
        output.fail(f"expected {runs} fuzzer runs of 10,000 surviving calls each; "
                    f"{len(survived)} finished")
    fuzz.check_reports(output, runs, seed)
    for m in output.matches(r"fuzzsys: fatal call .*: expect \"(.*)\""):
        output.expect(re.escape(m.group(1)))
    pattern = r"(K> )?pages: \d+ total, (\d+) free.*"
    free_before, free_after = before.match(pattern), output.match(pattern)
    if not free_before or not free_after:
        output.fail("missing the `pages` output before or after fuzzing")
    if free_before.group(2) != free_after.group(2):
        output.fail(f"free pages: {free_before.group(2)} before fuzzing, "
                    f"{free_after.group(2)} after: pages leaked")


# ------------------------------------------------------ hostile programs
#
# Each user/hostile_*.c program makes one attack per run; a test runs it
# once per attack (run=hostile_NAME*N), then hello, then types `pages`
# in the final monitor.  Every attack must destroy only its own
# environment (or be answered with an error), the kernel must go on to
# run hello, and every page must be free again.

# A hostile program ends a line with "!" only when an attack worked.
HOSTILE_NO = NO_PANIC + [r"hostile_\w+: .*!"]
PAGES = r"(K> )?pages: \d+ total, (\d+) free.*"


@functools.lru_cache(maxsize=None)
def free_pages_at_boot():
    output = run_kernel("lab3-pages-at-boot", ["pages"])
    m = output.match(PAGES)
    if not m:
        output.fail("missing the `pages` output of a kernel that ran nothing")
    return int(m.group(2))


def run_hostile(programs, commands=(), **options):
    """Runs programs, then hello; checks that the kernel survived and
    that no page was lost.  Returns the output."""
    output = run(programs + ",hello", [*commands, "pages"], **options)
    output.expect(r"hello, world", DONE, PAGES, no=HOSTILE_NO)
    free = int(output.match(PAGES).group(2))
    if free != free_pages_at_boot():
        output.fail(f"free pages: {free_pages_at_boot()} at boot, {free} after "
                    f"the hostile programs and hello: pages leaked")
    return output


def environments(output, program):
    """The lines each environment running `program` printed, from its
    "new env" line to its "free env" line, in order."""
    runs, current, envid = [], None, None
    for line in output.lines:
        m = re.match(r"\[00000000\] new env ([0-9a-f]{8})$", line)
        if m:
            current, envid = [line], m.group(1)
            continue
        if current is None:
            continue
        current.append(line)
        if line == f"[{envid}] free env {envid}":
            if any(l.startswith(program + ":") for l in current):
                runs.append(current)
            current = None
    return runs


def destroyed(lines):
    """Whether the kernel destroyed this environment (it did not exit)."""
    return not any(re.search(r"exiting gracefully", l) for l in lines)


def expect_runs(output, program, count):
    runs = environments(output, program)
    if len(runs) != count:
        output.fail(f"expected {count} runs of {program} from creation to "
                    f"\"free env\"; found {len(runs)}")
    return runs


@points(5, part="hostile")
@gradelib.stubs(*RUN_STUBS)
def test_pic_is_remapped_and_masked():
    """Both 8259 PICs deliver IRQ 0-15 on vectors 32-47, not on the
    exception vectors, and every line is masked (QEMU's `info pic`)."""
    with Qemu("lab3-pic", program="hello", monitor=True) as qemu:
        position = qemu.wait_for(r"K> ")
        state = ""
        if position is not None:
            monitor = QemuMonitor(qemu.monitor_socket)
            try:
                state = monitor.command("info pic")
            finally:
                monitor.close()
    output = qemu.stop()
    output.expect(DONE, no=NO_PANIC)
    for pic, base in (("pic0", "20"), ("pic1", "28")):
        m = re.search(pic + r": .*imr=([0-9a-f]+) .*irq_base=([0-9a-f]+)", state)
        if not m:
            output.fail(f"QEMU's `info pic` did not show {pic}:\n{state}")
        if m.group(2) != base or m.group(1) != "ff":
            output.fail(f"{pic} has irq_base={m.group(2)} imr={m.group(1)}; expected "
                        f"irq_base={base} (IRQ_OFFSET) and imr=ff (all masked)")


@points(10, part="hostile")
@gradelib.stubs(*RUN_STUBS)
def test_hostile_int_every_vector():
    """`int $N` for every N from 0 to 255: a breakpoint for 3, a system
    call for 48, and for any other N a general protection fault whose
    error code names gate N; each destroys only its environment."""
    output = run_hostile("hostile_int*256", ["continue"], timeout=60)
    for vector, lines in enumerate(expect_runs(output, "hostile_int", 256)):
        text = "\n".join(lines)
        if f"hostile_int: int ${vector}" not in text:
            output.fail(f"run {vector} of hostile_int did not try int ${vector}")
        if vector == 3:
            ok = "trap 0x00000003 Breakpoint" in text and \
                 "survived int $3" in text and not destroyed(lines)
        elif vector == 48:
            ok = re.search(r"survived int \$48, eax -\d+", text) is not None
        else:
            ok = destroyed(lines) and "trap 0x0000000d General Protection" in text \
                 and "err  0x%08x" % (vector * 8 + 2) in text
        if not ok:
            output.fail(f"int ${vector} from user mode: expected "
                        + ("a breakpoint, then `continue`" if vector == 3 else
                           "a system call error" if vector == 48 else
                           f"a general protection fault with error code "
                           f"0x{vector * 8 + 2:x} that destroys the environment")
                        + ", but got:\n      " + "\n      ".join(lines[:24]))


HOSTILE_PRIV_CASES = 22


@points(5, part="hostile")
@gradelib.stubs(*RUN_STUBS)
def test_hostile_privileged_instructions():
    """cli, sti, hlt, in/out, lgdt/lidt/ltr, control and debug
    registers, MSRs... from user mode: each is a general protection
    fault that destroys only the environment; popf cannot raise IOPL."""
    output = run_hostile(f"hostile_priv*{HOSTILE_PRIV_CASES}")
    for case, lines in enumerate(expect_runs(output, "hostile_priv", HOSTILE_PRIV_CASES)):
        text = "\n".join(lines)
        if not destroyed(lines) or not re.search(
                r"trap 0x0000000[d6] (General Protection|Invalid Opcode)", text):
            output.fail(f"privileged instruction (hostile_priv case {case}) was not "
                        f"a fault that destroyed the environment:\n      "
                        + "\n      ".join(lines[:24]))
    output.expect(r"hostile_priv: after popf, IOPL 0, IF unchanged")


# (vector, error code or None) for each case of user/hostile_exc.c
HOSTILE_EXC_CASES = [(6, 0), (5, 0), ((1, 6), None), (1, None), (13, 4 * 8 + 2)]


@points(5, part="hostile")
@gradelib.stubs(*RUN_STUBS)
def test_hostile_exceptions():
    """ud2, bound, icebp, a trap flag the program set itself, into: each
    is reported as its own exception and destroys only the environment
    (a debug trap the monitor did not ask for is no monitor step)."""
    output = run_hostile(f"hostile_exc*{len(HOSTILE_EXC_CASES)}")
    runs = expect_runs(output, "hostile_exc", len(HOSTILE_EXC_CASES))
    for case, (lines, (vectors, err)) in enumerate(zip(runs, HOSTILE_EXC_CASES)):
        vectors = vectors if isinstance(vectors, tuple) else (vectors,)
        text = "\n".join(lines)
        ok = destroyed(lines) and any(f"  trap 0x{v:08x} " in text for v in vectors)
        if err is not None:
            ok = ok and f"  err  0x{err:08x}" in text
        if not ok or "stepped to" in text:
            output.fail(f"hostile_exc case {case} should be trap "
                        f"{' or '.join(map(str, vectors))}, destroying the "
                        f"environment:\n      " + "\n      ".join(lines[:24]))


HOSTILE_IRET_CASES = 12


@points(10, part="hostile")
@gradelib.stubs(*RUN_STUBS)
def test_hostile_iret_frames_and_selectors():
    """iret into virtual-8086 mode, with NT set, to kernel or data
    segments, far jumps and segment loads through forbidden selectors:
    each destroys only the environment, the vm86 ones included."""
    output = run_hostile(f"hostile_iret*{HOSTILE_IRET_CASES}")
    runs = expect_runs(output, "hostile_iret", HOSTILE_IRET_CASES)
    for case, lines in enumerate(runs):
        if not destroyed(lines):
            output.fail(f"hostile_iret case {case} was not destroyed:\n      "
                        + "\n      ".join(lines[:24]))
    for case in (0, 1, 2):
        if not any(re.match(r"  flag 0x000[2-3]....", l) for l in runs[case]):
            output.fail(f"hostile_iret case {case} should have trapped in "
                        f"virtual-8086 mode (EFLAGS.VM in the trap frame)")
    output.expect(r"hostile_iret: landed at user code, eflags 0000[0-9a-f]{2}[0-9a-f]{2}",
                  no=[r"hostile_iret: IOPL is .*"])


@points(5, part="hostile")
@gradelib.stubs(*RUN_STUBS)
def test_hostile_backtrace_ignores_user_frame_pointers():
    """int3 with a garbage ebp, then with one that points at itself:
    `backtrace` in the monitor shows only kernel frames and ends; the
    program resumes with its registers intact."""
    output = run_hostile("hostile_backtrace",
                         ["backtrace", "continue", "backtrace", "continue"])
    output.expect(r"hostile_backtrace: int3 with a garbage ebp dead0000",
                  r"K> backtrace", r"Stack backtrace:", r"K> continue",
                  r"hostile_backtrace: resumed with ebp dead0000",
                  r"hostile_backtrace: int3 with a self-referencing ebp (008[0-9a-f]{5})",
                  r"K> backtrace", r"Stack backtrace:", r"K> continue",
                  r"hostile_backtrace: resumed with ebp 008[0-9a-f]{5}",
                  r"\[%s\] exiting gracefully" % ENV)
    start = 0
    for _ in range(2):
        start = output.find(r"K> backtrace", start) + 1
        end = output.find(r"K> continue", start)
        frames = [l for l in output.lines[start:end] if l.startswith("  ebp ")]
        if end - start > 40:
            output.fail("backtrace printed more than 40 lines: does it follow a "
                        "chain of frames that never ends?")
        for line in frames:
            m = re.match(r"  ebp ([0-9a-f]{8})  eip", line)
            if m and not (0xef000000 <= int(m.group(1), 16) < 0xf1000000):
                output.fail(f"backtrace followed a frame outside the kernel "
                            f"stack: {line}")


@points(10, part="hostile")
@gradelib.stubs(*RUN_STUBS)
def test_hostile_fpu_state_is_per_environment():
    """Three environments in a row each find a freshly reset FPU (no
    x87/SSE registers and no pending x87 exception of the previous one),
    keep their own state across a system call, and only the one that
    raises its own pending exception dies of it."""
    output = run_hostile("hostile_fpu*3")
    runs = expect_runs(output, "hostile_fpu", 3)
    for case, lines in enumerate(runs):
        text = "\n".join(lines)
        for what in ("a clean FPU", "no pending exception",
                     "my FPU state survived a system call"):
            if f"hostile_fpu: case {case}: {what}" not in text:
                output.fail(f"hostile_fpu case {case} did not report \"{what}\":"
                            "\n      " + "\n      ".join(lines[:24]))
        raised = "trap 0x00000010 x87 FPU Floating-Point Error" in text
        if raised != (case == 2) or destroyed(lines) != (case == 2):
            output.fail(f"hostile_fpu case {case}: only case 2 should die, of "
                        f"its own x87 exception (trap 0x10):\n      "
                        + "\n      ".join(lines[:24]))
    output.expect(no=[r"hostile_fpu: inherited .*", r"hostile_fpu: my own state .*"])


@points(5, part="hostile")
@gradelib.stubs(*RUN_STUBS)
def test_hostile_stack_pointers():
    """System calls made with esp at 0, odd, in the kernel's half or at
    the top of memory all work; pushing onto the kernel's memory is a
    user page fault."""
    output = run_hostile("hostile_stack")
    output.expect(r"hostile_stack: 11 of 11 system calls with odd stack "
                  r"pointers answered right",
                  r"\[%s\] user fault va f0000ffc ip 008[0-9a-f]{5}" % ENV,
                  r"  err  0x00000007 \[user, write, protection\]",
                  r"\[%s\] free env %s" % (ENV, ENV))


@points(5, part="hostile")
@gradelib.stubs(*RUN_STUBS)
def test_hostile_text_and_rodata_are_read_only():
    """A program's .text and .rodata are mapped read-only, as their ELF
    program headers ask: writing them is a user protection fault."""
    output = run_hostile("hostile_text*2")
    for case, lines in enumerate(expect_runs(output, "hostile_text", 2)):
        text = "\n".join(lines)
        if not re.search(r"user fault va 008[0-9a-f]{5} ip 008[0-9a-f]{5}", text) \
                or "err  0x00000007 [user, write, protection]" not in text:
            output.fail(f"writing the program's "
                        f"{'.text' if case == 0 else '.rodata'} should be a user "
                        f"write fault on a present page (error code 7):\n      "
                        + "\n      ".join(lines[:24]))


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
