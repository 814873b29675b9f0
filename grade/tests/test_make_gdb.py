"""make qemu*-gdb and make gdb: every QEMU gets its own gdb socket, and
the .gdbinit it writes (from grade/gdb/gdbinit.in) attaches gdb to it.
Two QEMUs started at once both run, and each socket reaches its own
QEMU (told apart by QEMU's -name, asked through gdb's `monitor`).

Runs make in this checkout with the built EXOLAB_OBJDIR (nothing to
rebuild); the checkout's .gdbinit is put back afterwards.
"""
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from gradelib.config import build

ROOT = Path(__file__).resolve().parents[2]
GDB = os.environ.get("GDB", "gdb")

pytestmark = pytest.mark.skipif(
    not build().image.exists() or shutil.which(GDB) is None
    or shutil.which(os.environ.get("QEMU", "qemu-system-i386")) is None,
    reason="needs a built kernel (EXOLAB_OBJDIR), QEMU and gdb")


def ask_name(target: str, gdbinit: bool = False) -> str:
    """QEMU's -name, asked through gdb connected to target (or through
    the checkout's .gdbinit, as make gdb does)."""
    if gdbinit:
        args = [GDB, "-q", "-n", "-batch", "-x", ".gdbinit"]
    else:
        args = [GDB, "-q", "-n", "-batch", "-ex", f"target remote {target}"]
    proc = subprocess.run(args + ["-ex", "monitor info name", "-ex", "detach"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    return proc.stdout + proc.stderr


def test_two_qemus_never_collide_and_gdb_finds_the_last_one():
    objdir = build().objdir
    sockets = objdir / "gdb"
    saved = (ROOT / ".gdbinit").read_bytes() if (ROOT / ".gdbinit").exists() else None
    before = set(sockets.glob("qemu-*.sock")) if sockets.exists() else set()
    runs = []
    try:
        # QEMU_FS_DISK= : from lab 5 on, make attaches obj/fs.img for
        # writing, and QEMU locks it, so two QEMUs of one tree cannot
        # both have it; this test is about their gdb sockets.
        for name in ("exo-first", "exo-second"):
            runs.append(subprocess.Popen(
                ["make", "--no-print-directory", f"OBJDIR={objdir}", "qemu-nox-gdb",
                 f"QEMUEXTRA=-name {name}", "QEMU_FS_DISK="],
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            new = set(sockets.glob("qemu-*.sock")) - before
            if len(new) == 2:
                break
            time.sleep(0.1)
        assert len(new) == 2, f"expected two new sockets in {sockets}, got {new}"
        assert all(run.poll() is None for run in runs), "a QEMU exited"

        # Each socket reaches its own QEMU: both names answer.
        names = {}
        for sock in new:
            answer = ask_name(str(sock))
            m = re.search(r"exo-(first|second)", answer)
            assert m, answer
            names[sock.name] = m.group(0)
        assert sorted(names.values()) == ["exo-first", "exo-second"]

        # .gdbinit names one of them (the one whose make wrote it
        # last), and make gdb's way of using it attaches to that one.
        gdbinit = (ROOT / ".gdbinit").read_text()
        target = re.search(r"^target remote (\S+)$", gdbinit, re.M).group(1)
        assert Path(target).name in names, gdbinit
        assert names[Path(target).name] in ask_name("", gdbinit=True)
    finally:
        for run in runs:
            try:
                os.killpg(run.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            run.wait(timeout=10)
        for sock in set(sockets.glob("qemu-*.sock")) - before:
            sock.unlink(missing_ok=True)
        if saved is None:
            (ROOT / ".gdbinit").unlink(missing_ok=True)
        else:
            (ROOT / ".gdbinit").write_bytes(saved)
