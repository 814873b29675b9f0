"""Lab 4: several CPUs, preemptive scheduling, the exokernel's page and
environment calls, user-level page faults, copy-on-write fork and IPC.

Part A: multiprocessor boot and cooperative scheduling; part B:
copy-on-write fork; part C: preemption and IPC.
"""
import time

import pytest

from gradelib import GdbStub, Qemu, build, points, run_kernel, symbols

NO_PANIC = [r"kernel panic.*"]
DONE = r"No runnable environments in the system!"
PROMPT = r"K> "


def run(program, commands=(), **options):
    return run_kernel(f"lab4-{program.replace('*', 'x').replace(',', '+')}",
                      commands, program=program, **options)


@pytest.fixture(scope="module")
def kernel_symbols():
    return symbols(build().require(build().kernel))


# ======================================================================
# Multiprocessor boot, the kernel lock, scheduling and preemption
# (test_smp_*, test_sched_*, test_preempt_*).
# ======================================================================

KERNBASE = 0xF0000000
ULIM = 0xEF800000
NOT_IMPLEMENTED = [r".*not implemented.*"]


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
               timeout=40, finish=None):
    """Boots with the gdb stub, runs until the output matches `until`,
    then stops the machine up to `tries` times, 0.2 s apart, until
    check(registers of every CPU) is true; then lets it run on until the
    output matches `finish`, if given.  Returns (output, whether check
    ever held, the last registers seen)."""
    seen, ok = [], False
    with Qemu(name, program=program, cpus=cpus, gdb=True, extra=extra,
              timeout=timeout) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        try:
            stub.resume()
            if qemu.wait_for(until) is not None:
                for _ in range(tries):
                    seen = stop_all_cpus(stub)
                    if check(seen):
                        ok = True
                        break
                    stub.resume()
                    time.sleep(0.2)
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

    output, ok, regs = watch_cpus(f"lab4-smp-{smp}", smp, PROMPT, all_idle)
    output.expect(r"SMP: %d CPUs found through the ACPI MADT \(boot CPU: APIC id 0\)" % n,
                  *[r"SMP: CPU %d starting" % i for i in range(1, n)],
                  r"Welcome to the ExoLab kernel monitor!",
                  no=NO_PANIC + [r"SMP: CPU \d+ .*did not start.*"])
    if len(regs) != n:
        output.fail(f"QEMU has {len(regs)} CPUs; expected {n}")
    if not ok:
        output.fail(f"the other CPUs are not all halted in sched_idle "
                    f"({idle[0]:#x}-{idle[1]:#x}): {describe(regs)}")


@pytest.mark.parametrize("smp,n", [("2,sockets=2", 2), ("2", 1)],
                         ids=["two-sockets", "two-cores"])
@points(5, part="A")
def test_smp_falls_back_to_the_mp_table(smp, n):
    """Without ACPI the MP table is used: it lists a CPU per socket, so
    two cores of one socket boot as one CPU, which still runs programs."""
    output = run_kernel(f"lab4-smp-noacpi-{smp}", program="hello", cpus=smp,
                        extra=["-machine", "acpi=off"])
    output.expect(r"ACPI: no RSDP found",
                  r"SMP: %d CPUs? found through the MP configuration table.*" % n,
                  *[r"SMP: CPU %d starting" % i for i in range(1, n)],
                  r"hello, world", DONE, no=NO_PANIC)


@points(5, part="A")
def test_smp_user_code_runs_on_two_cpus_at_once():
    """With four CPUs, the environments of whichcpu run side by side:
    stopping the machine finds two CPUs in user mode at once."""
    def two_in_user_mode(regs):
        return sum(r["eip"] < ULIM for r in regs) >= 2

    output, ok, regs = watch_cpus("lab4-smp-whichcpu", 4,
                                  r"(\[00001000\] new env 00001003|K> )",
                                  two_in_user_mode, tries=30, program="whichcpu",
                                  timeout=60, finish=PROMPT)
    if not ok:
        output.fail(f"never saw two CPUs running user code at once; last "
                    f"stop: {describe(regs)}")
    output.expect(DONE, no=NO_PANIC)
    if len(output.matches(r"\[0000100[0-3]\] whichcpu: ran on CPUs? [0-9 ]+")) != 4:
        output.fail("the four whichcpu environments did not all finish")


@pytest.mark.parametrize("misuse,pattern", [
    ("twice", r"spin_lock: recursive acquire: CPU 0 at mon_lockcheck\+0x[0-9a-f]+ "
              r"\(kernel/spinlock\.c:\d+\): test_lock is held by CPU 0, taken at "
              r"mon_lockcheck\+0x[0-9a-f]+ \(kernel/spinlock\.c:\d+\)"),
    ("unheld", r"spin_unlock: release by a non-holder: CPU 0 at "
               r"mon_lockcheck\+0x[0-9a-f]+ \(kernel/spinlock\.c:\d+\): test_lock "
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
    if len(counted) != 20:
        output.fail(f"{len(counted)} of the 20 children finished their count")
    if len({m.group(1) for m in counted}) < 2:
        output.fail("every child ran on the same CPU")


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
            if qemu.wait_for(PROMPT) is not None:
                time.sleep(1)
                for _ in range(20):
                    regs = stop_all_cpus(stub)
                    if not after_hlt:
                        # The instruction after each hlt (0xf4): where a
                        # halted CPU's eip points.
                        code = stub.read_memory(start, end - start)
                        after_hlt = [start + i + 1 for i, b in enumerate(code)
                                     if b == 0xF4]
                    if halted(regs):
                        ok = True
                        break
                    stub.resume()
                    time.sleep(0.2)
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
