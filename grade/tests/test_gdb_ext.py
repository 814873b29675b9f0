"""The exo gdb commands (grade/gdb/exolab.py), driven in a real gdb in
batch mode against a real QEMU, on states whose truth is known some
other way: the kernel's own printouts, its ELF symbols, and QEMU's own
address translation and physical-memory monitor command.

Needs a built kernel (EXOLAB_OBJDIR, as make test sets it), QEMU and
gdb; without them the tests are skipped.
"""
import os
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest

from gradelib import Qemu, symbols
from gradelib.fsimage import fresh_disk
from gradelib.config import build
from gdb_transcripts import GDB, ROOT, wait_for_socket
from gdb_transcripts import gdb_args as transcript_gdb_args
KERNBASE = 0xF0000000
UTEXT = 0x00800000


def kernel_path() -> Path:
    return build().kernel


pytestmark = pytest.mark.skipif(
    not kernel_path().exists() or shutil.which(GDB) is None
    or shutil.which(os.environ.get("QEMU", "qemu-system-i386")) is None,
    reason="needs a built kernel (EXOLAB_OBJDIR), QEMU and gdb")


def gdb_args(qemu: Qemu, commands: List[str], symbol_file=None) -> List[str]:
    wait_for_socket(qemu)
    return transcript_gdb_args(qemu.gdb_socket, commands, symbol_file)


def split(output: str) -> Dict[str, str]:
    """The output of each command, by command (the last run wins)."""
    parts = {}
    for chunk in output.split("@@@ ")[1:]:
        command, _, text = chunk.partition("\n")
        parts[command] = text
    return parts


def run_gdb(qemu: Qemu, commands: List[str], symbol_file=None,
            end: str = "kill") -> Dict[str, str]:
    """Runs the commands in a gdb attached to qemu; then (end) kills
    QEMU, or with end="detach" (the last command) leaves it running for
    another gdb."""
    ending = [] if end == "detach" else [end]
    proc = subprocess.run(gdb_args(qemu, commands + ending, symbol_file),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=90, cwd=ROOT)
    return split(proc.stdout)


def one_line(text: str) -> str:
    lines = [l for l in text.strip().splitlines() if l.strip()]
    assert len(lines) == 1, f"expected a one-line reason, got:\n{text}"
    return lines[0]


def test_before_paging_every_command_says_why():
    with Qemu("gdb-ext-reset", gdb=True) as qemu:
        out = run_gdb(qemu, ["exo envs", "exo pages", "exo pt", "exo tf"])
    assert "paging off" in one_line(out["exo envs"])
    assert "paging off" in one_line(out["exo pages"])
    assert "paging is off" in one_line(out["exo pt"])
    assert "paging off" in one_line(out["exo tf"])


def test_without_later_labs_symbols_each_command_names_its_lab():
    # The boot sector's symbol file has none of the kernel's variables:
    # like a kernel of a lab that has not added them yet.
    boot = build().objdir / "kernel" / "boot" / "boot.elf"
    with Qemu("gdb-ext-nosyms", gdb=True) as qemu:
        out = run_gdb(qemu, ["exo envs", "exo pages", "exo cpus", "exo pt kernel"],
                      symbol_file=boot)
    assert "needs lab 3" in one_line(out["exo envs"])
    assert "needs lab 2" in one_line(out["exo pages"])
    assert "needs lab 4" in one_line(out["exo cpus"])
    assert "needs lab 2" in one_line(out["exo pt kernel"])


def test_before_mem_init_pages_and_envs_say_why_and_pt_shows_entry_pgdir():
    syms = symbols(kernel_path())
    with Qemu("gdb-ext-early", gdb=True) as qemu:
        out = run_gdb(qemu, ["break mem_init", "continue", "exo pages",
                             "exo envs", "exo pt"])
    assert "mem_init has not run" in one_line(out["exo pages"])
    assert "envs is NULL" in one_line(out["exo envs"])
    # entry_pgdir (kernel/entry.S): the first 16 MiB at 0 and at
    # KERNBASE, in 4 MiB pages, each range merged into one line.
    pt = out["exo pt"]
    assert f"CR3 = {syms['entry_pgdir'] - KERNBASE:#010x}" in pt, pt
    ranges = re.findall(r"^\s+([0-9a-f]{8})-([0-9a-f]{8})\s+([0-9a-f]{8})\s+\S+\s+(.*)$",
                        pt, re.M)
    assert [(lo, hi, pa) for lo, hi, pa, _ in ranges] == [
        ("00000000", "00ffffff", "00000000"), ("f0000000", "f0ffffff", "00000000")], pt
    assert all("PS" in flags.split() for *_, flags in ranges), pt


def hello_session(commands: List[str]):
    """hello stopped at umain; returns (serial output, gdb output)."""
    with Qemu("gdb-ext-hello", program="hello", gdb=True) as qemu:
        out = run_gdb(qemu, ["exo user hello", "break umain", "continue"] + commands)
    return qemu.result.text, out


def test_hello_envs_pt_tf_user():
    umain = symbols(build().objdir / "user" / "hello")["umain"]
    commands = ["exo envs", "exo pt", f"exo pt {UTEXT:#x}", f"x/4xw {UTEXT:#x}",
                "exo user hello", "exo tf", f"info symbol {umain:#x}",
                "exo cpus", "exo fs", "exo user 1000", "exo user nosuchprogram"]
    serial, out = hello_session(commands)
    # The id the kernel printed when it made the environment.
    envid = re.search(r"new env ([0-9a-f]{8})", serial).group(1)

    envs = out["exo envs"]
    assert re.search(rf"^\* {envid}\s+RUNNING\s+00000000\s+user\s+\d+\s+-?\d+\s+"
                     r"[0-9a-f]{8}\s+hello$", envs, re.M), envs
    assert "1 environment(s)" in envs

    # The whole page table: the program at UTEXT, user-accessible; the
    # kernel's KERNBASE window, not.
    pt = out["exo pt"]
    assert re.search(r"^\s+00800000-[0-9a-f]{8}\s+[0-9a-f]{8}\s+\S+\s+P (W )?U", pt, re.M), pt
    kernel = re.search(r"^\s+f0000000-ffffffff\s+00000000\s+\S+\s+(.*)$", pt, re.M)
    assert kernel and "U" not in kernel.group(1).split(), pt

    # The walk of UTEXT ends at a physical page whose contents, read
    # by QEMU's own physical-memory command, are what QEMU's MMU shows
    # at UTEXT.
    walk = out[f"exo pt {UTEXT:#x}"]
    assert re.search(r"PDE\[0x2\].*P W U", walk) and "PTE[0x0]" in walk, walk
    m = re.search(r"physical address (0x[0-9a-f]+) \(page 0x[0-9a-f]+\), "
                  r"pages\[0x[0-9a-f]+\]\.pp_ref = 1", walk)
    assert m, walk
    virtual_words = re.findall(r"0x[0-9a-f]{8}", out[f"x/4xw {UTEXT:#x}"].split(":", 1)[1])
    with Qemu("gdb-ext-hello-xp", program="hello", gdb=True) as qemu:
        again = run_gdb(qemu, ["exo user hello", "break umain", "continue",
                               f"exo pt {UTEXT:#x}",
                               f"monitor xp /4xw {m.group(1)}"])
    assert m.group(0) in again[f"exo pt {UTEXT:#x}"]   # a repeatable state
    physical_words = re.findall(r"0x[0-9a-f]{8}",
                                again[f"monitor xp /4xw {m.group(1)}"].split(":", 1)[1])
    assert [int(w, 16) for w in physical_words] == [int(w, 16) for w in virtual_words]

    # The last trap was hello's sys_getenvid in libmain: eax has its
    # result, the id; eip is in sys_getenvid (symbols from exo user).
    # From lab 4, a timer interrupt may have come after it.
    assert "+ symbols of hello" in out["exo user hello"]
    tf = out["exo tf"]
    if "trap 32 (IRQ 0 timer)" not in tf:
        assert "trap 48 (system call)" in tf and f"eax {envid}" in tf, tf
        assert re.search(r"eip\s+[0-9a-f]{8}\s+<sys_getenvid \+ \d+>", tf), tf
    assert re.search(r"eip\s+00[0-9a-f]{6}\s+<\w+ \+ \d+>", tf), tf
    assert "CPL 3" in tf
    assert out[f"info symbol {umain:#x}"].startswith("umain in section .text")

    if "cpus" in symbols(kernel_path()):
        # Stopped in user mode on the only CPU: it runs hello, and no
        # CPU is in the kernel, so the lock is free.
        assert re.search(rf"^\s+0\s+\d+ STARTED\s+{envid}$", out["exo cpus"], re.M), \
            out["exo cpus"]
        assert "kernel lock: free" in out["exo cpus"]
    else:
        assert "needs lab 4" in one_line(out["exo cpus"])
    assert "needs lab 5 (the file server)" in one_line(out["exo fs"])
    assert "+ symbols of hello" in out["exo user 1000"]
    assert "there is no" in one_line(out["exo user nosuchprogram"])


def monitor_session(commands: List[str], monitor_command: str):
    """The kernel at its monitor; gdb stops it where the monitor runs
    `monitor_command`'s function, runs the commands, then lets it go on
    (the last command decides: detach or kill)."""
    with Qemu("gdb-ext-monitor", gdb=True, timeout=60) as qemu:
        proc = subprocess.Popen(
            gdb_args(qemu, ["break mon_pages", "continue"] + commands),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        position = qemu.wait_for(r"K> ")
        assert position is not None, "the kernel never reached its monitor"
        qemu.send(monitor_command + "\n")
        output, _ = proc.communicate(timeout=90)
        qemu.wait_for(r"pages: .*\n", position)
    return qemu.result.text, split(output)


def test_pages_agrees_with_the_kernels_own_count():
    serial, out = monitor_session(["exo pages", "detach"], "pages")
    total, free = re.search(r"pages: (\d+) total, (\d+) free", serial).groups()
    summary = out["exo pages"]
    assert f"{total} pages" in summary and f"{free} free" in summary, summary
    assert f"{int(total) - int(free)} used" in summary
    assert f"free list: {free} pages, no loop" in summary
    refs = [int(n) for n in re.findall(r"(\d+) with pp_ref", summary)]
    assert sum(refs) == int(total), summary


def test_pages_finds_a_loop_in_the_free_list():
    # Make the third free page point back at the second: a loop.
    corrupt = ("set var page_free_list->pp_link->pp_link->pp_link = "
               "page_free_list->pp_link")
    serial, out = monitor_session([corrupt, "exo pages", "kill"], "pages")
    assert re.search(r"free list: the free list loops back to page 0x[0-9a-f]+ "
                     r"after 3 pages", out["exo pages"]), out["exo pages"]


@pytest.mark.skipif("cpus" not in symbols(kernel_path()) if kernel_path().exists() else True,
                    reason="needs a lab 4 kernel (cpus[])")
def test_cpus_on_two_cpus_shows_the_lock_holder():
    # hello's first sys_cputs, on the CPU that runs it: in the kernel,
    # so that CPU holds the kernel lock; gdb's thread list (one thread
    # per CPU in QEMU) says which CPU that is.
    with Qemu("gdb-ext-cpus", program="hello", gdb=True, cpus=2) as qemu:
        out = run_gdb(qemu, ["break sys_cputs", "continue", "thread", "exo cpus"])
    serial = qemu.result.text
    envid = re.search(r"new env ([0-9a-f]{8})", serial).group(1)
    thread = int(re.search(r"Current thread is (\d+)", out["thread"]).group(1))
    cpus = out["exo cpus"]
    rows = re.findall(r"^\s+(\d+)\s+(\d+) (\w+)\s+(\S+)$", cpus, re.M)
    assert len(rows) == 2, cpus
    running = [r for r in rows if r[3] == envid]
    assert len(running) == 1 and int(running[0][1]) == thread - 1, cpus
    m = re.search(r"kernel lock: held by cpu (\d+), taken at [0-9a-f]{8} <(\w+) \+ \d+>", cpus)
    assert m and m.group(1) == running[0][0], cpus


@pytest.mark.skipif(not (build().objdir / "user" / "fs").exists()
                    if kernel_path().exists() else True,
                    reason="needs a lab 5 build (the file server)")
def test_fs_shows_the_open_file_and_its_dirty_block(tmp_path):
    # fsrw opens a file named and filled at grading time, writes it
    # without sync and waits forever with it open: stopped in the
    # monitor, the server holds one open file whose block is dirty.
    secret = f"{random.randrange(16 ** 8):08x}"
    text = secret * 3    # fsrw's argument fits the command line
    path = f"/exofs-{secret}"
    with Qemu("gdb-ext-fs", program=f"fs+fsrw:hold:{path}:{text}", gdb=True,
              disk=fresh_disk(tmp_path), timeout=60) as qemu:
        out = run_gdb(qemu, ["break monitor", "continue", "exo envs", "exo fs",
                             "detach"], end="detach")
        fs = out["exo fs"]
        first = re.search(r"^\s+[0-9a-f]{8}\s+O_RDWR\S*\s+(\d+)\s+1\s+(\d+)\s+(\d+)\s+"
                          + re.escape(path[1:]) + "$", fs, re.M)
        assert first, fs
        offset, size, block = (int(n) for n in first.groups())
        assert offset == size == len(text), fs
        dirty = re.search(r"dirty blocks: ([\d ]+)$", fs, re.M)
        assert dirty and block in [int(b) for b in dirty.group(1).split()], fs
        fs_env = re.search(r"^\s+([0-9a-f]{8})\s+\w+\s+\S+\s+fs\s", out["exo envs"], re.M)
        assert fs_env and f"file server: env {fs_env.group(1)}" in fs, out
        # The block's page holds the text, unsynced: its physical page
        # (from the walk), read by QEMU's own physical-memory command.
        walk = f"exo pt {fs_env.group(1)} {0x10000000 + block * 4096:#x}"
        out = run_gdb(qemu, [walk, "detach"], end="detach")
        pa = re.search(r"physical address (0x[0-9a-f]+)", out[walk])
        assert pa and re.search(r"PTE\[0x[0-9a-f]+\].* D( |$)", out[walk], re.M), out[walk]
        xp = f"monitor xp /{len(text)}cb {pa.group(1)}"
        out = run_gdb(qemu, [xp])
        assert re.findall(r"'(.)'", out[xp]) == list(text), out[xp]
    assert f"fsrw: holding {path} open, not synced" in qemu.result.text
