"""Kernel tracing (kernel/trace.c): trace=... on the kernel command line
prints one decoded line per event; without it the kernel prints exactly
what it prints untraced.  Values are checked against the kernel's own
messages (the environment id it reports, the fault it reports).

Needs the built kernel (EXOLAB_OBJDIR, as make test sets it) and QEMU.
"""
import os
import re
import shutil

import pytest

from gradelib import run_kernel, symbols
from gradelib.config import build

pytestmark = pytest.mark.skipif(
    not build().image.exists()
    or shutil.which(os.environ.get("QEMU", "qemu-system-i386")) is None
    or build().lab < 3,
    reason="needs a built lab 3 kernel (EXOLAB_OBJDIR) and QEMU")

EXIT = r"No runnable environments in the system!\n"


def lines(text):
    """The lines up to the scheduler's last word (the run is stopped
    some time after it)."""
    text = text[:text.index("No runnable environments")]
    return [l.rstrip() for l in text.splitlines()]


def test_hello_syscalls_decoded():
    out = run_kernel("trace-hello", program="hello", cmdline="trace=syscall",
                     until=EXIT).text
    envid = re.search(r"new env ([0-9a-f]{8})", out).group(1)
    traced = [l for l in lines(out) if re.match(r"\[[0-9a-f]{8}\] sys_", l)]
    assert traced == [
        f"[{envid}] sys_getenvid() = {envid}",
        f'[{envid}] sys_cputs("hello, world\\n", 13) = 0',
        f'[{envid}] sys_cputs("i am environment {envid[:7]}"..., 26) = 0',
        f"[{envid}] sys_env_destroy(0) ...",
    ], out
    assert "trace: syscall" in out
    # Each call's line follows what the call printed.
    assert out.index("hello, world\n") < out.index('sys_cputs("hello')


def test_trace_off_prints_nothing_extra():
    plain = run_kernel("trace-off", program="hello", until=EXIT).text
    traced = run_kernel("trace-on", program="hello", cmdline="trace=all",
                        until=EXIT).text
    assert not re.search(r"\] sys_|^trace:", plain, re.M)
    untraced = [l for l in lines(traced)
                if not re.match(r"(\[[0-9a-f]{8}\] (sys_|switch to|\.\.\. |ipc wakes|"
                                r"timer interrupt|page fault))|trace:|Kernel command line:", l)]
    expected = [l for l in lines(plain) if not l.startswith("Kernel command line:")]
    assert untraced == expected


def test_page_fault_and_trap_lines_agree_with_the_kernel():
    out = run_kernel("trace-faultread", program="faultread",
                     cmdline="trace=pgfault,sched", until=EXIT).text
    # The kernel's own report of the fault, and the trace's.
    envid, va, ip = re.search(r"\[([0-9a-f]{8})\] user fault va ([0-9a-f]{8}) "
                              r"ip ([0-9a-f]{8})", out).groups()
    assert f"[{envid}] page fault va {va} ip {ip} [user, read, not-present]" in out
    assert f"[00000000] switch to {envid} (run 1)" in out
    assert "] sys_" not in out          # syscall tracing was not asked for

    out = run_kernel("trace-breakpoint", program="breakpoint", cmdline="trace=trap").text
    eip = re.search(r"eip  0x([0-9a-f]{8})", out).group(1)
    # int3 traps with eip past the instruction; the trace shows the same.
    assert re.search(rf"\[[0-9a-f]{{8}}\] trap 3 Breakpoint ip {eip} err 0", out), out


def test_unknown_category_is_named():
    out = run_kernel("trace-bogus", program="hello", cmdline="trace=syscall,bogus",
                     until=EXIT).text
    assert "trace: unknown category 'bogus'" in out
    assert "trace: syscall" in out and "sys_getenvid() =" in out


@pytest.mark.skipif(build().lab < 4, reason="needs lab 4's system calls")
def test_lab4_calls_and_upcall_faults_decoded():
    out = run_kernel("trace-faultalloc", program="faultalloc",
                     cmdline="trace=pgfault,syscall", until=EXIT).text
    envid = re.search(r"new env ([0-9a-f]{8})", out).group(1)
    # faultalloc's handler prints each fault, then allocates its page.
    faults = re.findall(r"^fault ([0-9a-f]{8})$", out, re.M)
    assert len(faults) >= 2, out
    for va in faults:
        page = f"{int(va, 16) & ~0xFFF:08x}"
        assert re.search(rf"\[{envid}\] page fault va {va} ip [0-9a-f]{{8}} \[user, ", out), out
        assert f"[{envid}] sys_page_alloc(0, 0x{page}, PTE_U|PTE_W|PTE_P) = 0" in out, out
    assert re.search(rf"\[{envid}\] sys_env_set_pgfault_upcall\(0, 0x[0-9a-f]{{8}}\) = 0", out)

    out = run_kernel("trace-pingpong", program="pingpong", cmdline="trace=ipc",
                     until=EXIT).text
    assert re.search(r"sys_ipc_try_send\([0-9a-f]{8}, 1, 0x[0-9a-f]{8}, 0\) = 0", out), out
    assert re.search(r"sys_ipc_recv\(0x[0-9a-f]{8}\) \.\.\.", out), out
    assert "sys_getenvid" not in out        # ipc alone: no other calls


@pytest.mark.skipif(build().lab < 4, reason="needs lab 4's upcalls and IPC")
def test_upcalls_ipc_wakeups_and_preemption():
    # Each fault names the upcall it goes to: the one the program set.
    out = run_kernel("trace-faultalloc-upcall", program="faultalloc",
                     cmdline="trace=pgfault,syscall", until=EXIT).text
    envid, upcall = re.search(r"\[([0-9a-f]{8})\] sys_env_set_pgfault_upcall\(0, "
                              r"0x([0-9a-f]{8})\) = 0", out).groups()
    for va in re.findall(r"^fault ([0-9a-f]{8})$", out, re.M):
        assert re.search(rf"\[{envid}\] page fault va {va} ip [0-9a-f]{{8}} "
                         rf"\[user, \w+, not-present\] -> upcall {upcall}$", out, re.M), out

    # pingpong: each send wakes the other with the next number, which
    # the receiver then prints ("ENVID got N from ENVID").
    out = run_kernel("trace-pingpong-wake", program="pingpong", cmdline="trace=ipc",
                     until=EXIT).text
    wakes = re.findall(r"^\[([0-9a-f]{8})\] ipc wakes ([0-9a-f]{8}): value (\d+), no page$",
                       out, re.M)
    assert len(wakes) >= 10, out
    for n, (sender, receiver, value) in enumerate(wakes):
        assert int(value) == n and sender != receiver, wakes
        assert f"[{sender}] sys_ipc_try_send({receiver}, {value}, " in out
        if n > 0:    # pingpong prints ids without leading zeros
            assert f"{int(receiver, 16):x} got {value} from {int(sender, 16):x}" in out, out

    # spin's child never yields: only the timer takes the CPU back.
    out = run_kernel("trace-spin", program="spin", cmdline="trace=sched", until=EXIT).text
    child = re.findall(r"new env ([0-9a-f]{8})", out)[1]
    preempted = re.findall(rf"^\[{child}\] timer interrupt at ip ([0-9a-f]{{8}}): "
                           r"preempted\n\[" + child + r"\] switch to ([0-9a-f]{8})", out, re.M)
    assert preempted, out
    umain = symbols(build().objdir / "user" / "spin")["umain"]
    # At least one tick caught the child in its loop (umain; others
    # may come while it prints).
    assert any(umain <= int(ip, 16) < umain + 0x100 for ip, _ in preempted), \
        (hex(umain), preempted)


@pytest.mark.skipif(build().lab < 5, reason="needs lab 5's PTE_SHARE")
def test_share_and_cow_bits_decoded():
    out = run_kernel("trace-testpipe", program="testpipe", cmdline="trace=syscall",
                     until=EXIT).text
    assert re.search(r"sys_page_alloc\(0, 0x[0-9a-f]{8}, PTE_SHARE\|PTE_U\|PTE_W\|PTE_P\) = 0",
                     out), out
    assert "PTE_COW|PTE_U|PTE_P) = 0" in out and "PTE_AVAIL" not in out
