"""Watching a running kernel through QEMU's gdb stub: letting it run
until it stops at a breakpoint or comes to an end, and stopping at one
address again and again.  What the lab tests that check machine state
(user mode entered, values seen in a program's memory) have in common.
"""
import re
import time
from typing import Callable, Dict, Iterator, Optional, Sequence

from .checks import Output
from .gdbstub import GdbStub
from .qemu import PROMPT, Qemu, type_commands

# What a run prints when nothing will stop at a breakpoint any more:
# every program has ended, the kernel panicked, or something (a user
# panic from lab 4 on, a breakpoint) brought up the kernel monitor,
# which waits for a command.
END = rb"No runnable environments|kernel panic|K> "


def resume_until_stop(stub: GdbStub, qemu, timeout: float = 25.0,
                      end: bytes = END) -> Optional[str]:
    """Resumes the kernel; returns its next stop reply, or None if the
    output shows that the run came to its end (`end`), QEMU exited, or
    the time ran out without a stop (then the kernel is stopped again,
    so that the stub still answers)."""
    stub.resume()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not qemu.exited:
        reply = stub.wait_stop(0.2)
        if reply is not None:
            return reply
        if re.search(end, bytes(qemu.output)):
            break
    if not qemu.exited:
        stub.interrupt()
    return None


def breakpoint_hits(stub: GdbStub, qemu, address: int, limit: int,
                    timeout: float = 25.0, end: bytes = END) -> Iterator[Dict[str, int]]:
    """Runs the kernel with a breakpoint at `address` and yields the
    registers at each stop there (the caller may read memory then), up
    to `limit` stops; ends at the run's end, a stop elsewhere, or
    `timeout` seconds without a stop.  Afterwards the breakpoint is gone
    and the kernel is stopped: resume() it to let the run finish."""
    stub.set_breakpoint(address)
    # The registers of a stop whose instruction did not run.
    interrupted = None
    try:
        hits = 0
        while hits < limit:
            reply = resume_until_stop(stub, qemu, timeout, end)
            if reply is None or not reply.startswith("T05"):
                return
            regs = stub.registers()
            if regs["eip"] != address:
                return
            # Back at a stop whose instruction did not run, every
            # register as it was: the same stop again, not a new one.
            if regs != interrupted:
                hits += 1
                yield regs
            # Past the breakpoint (QEMU would stop at it again).
            stub.clear_breakpoint(address)
            stub.step()
            # Did the step run the instruction?  Not if something came
            # in first (an interrupt, from lab 4 on, where the timer
            # interrupts user code): the kernel then brings the CPU
            # back to the breakpoint with every register restored.
            after = stub.registers()["eip"]
            interrupted = None if address < after <= address + 15 else regs
            if interrupted:
                qemu.notes.append(f"the step from the breakpoint at {address:#x} ended at "
                                  f"{after:#x}: the instruction did not run")
            stub.set_breakpoint(address)
    finally:
        stub.clear_breakpoint(address)


# More stray stops than any run has: past them, the stub is not trusted.
MAX_STRAY_STOPS = 20


def run_to_end(stub: GdbStub, qemu, until: str, timeout: float) -> None:
    """Resumes the kernel, with no breakpoint left, and lets it run
    until `until` shows in its output, QEMU exits or `timeout` seconds
    pass: a stop the stub still reports is answered by resuming again.
    QEMU 5.2 (run for real; 7.2 never does it) now and then reports a
    single-step that went into an exception handler (fork's first push
    meeting a copy-on-write page) a second time, after the grader has
    resumed the kernel: unanswered, that stop held the kernel until the
    test timed out (lab 4's forktree on 4 CPUs, 3 runs in 10)."""
    pattern = re.compile(until.encode())
    deadline = time.monotonic() + timeout
    strays = 0
    stub.resume()
    while time.monotonic() < deadline and not qemu.exited:
        if pattern.search(bytes(qemu.output)):
            return
        if stub.wait_stop(0.2) is not None:
            strays += 1
            if strays > MAX_STRAY_STOPS:
                return
            stub.resume()


def run_with_breakpoint(name: str, address: int, on_stop: Callable[[GdbStub, Dict[str, int]], None],
                        limit: int, until: str = PROMPT, commands: Sequence[str] = (),
                        hit_timeout: float = 25.0, **options) -> Output:
    """Boots a kernel with the gdb stub (options go to Qemu: program=,
    disk=, timeout=, ...) and calls on_stop(stub, registers) at each of
    up to `limit` stops at `address` (see breakpoint_hits); then lets the
    run go on to `until` and types each of `commands`, waiting for
    `until` after each.  Returns the whole output."""
    with Qemu(name, gdb=True, **options) as qemu:
        stub = GdbStub(qemu.gdb_socket)
        try:
            for regs in breakpoint_hits(stub, qemu, address, limit, hit_timeout):
                on_stop(stub, regs)
            run_to_end(stub, qemu, until, qemu.timeout)
            type_commands(qemu, commands, until)
        finally:
            stub.close()
    return qemu.stop()
