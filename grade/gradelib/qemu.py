"""Running the kernel in QEMU under the grader.

Each run gets its own private directory: the serial log, the gdb stub's
Unix socket (no TCP ports to collide between parallel runs) and copies
of any disk image a test may write to.  The kernel's disk is opened
with snapshot=on, so QEMU never writes to the shared image.

The serial port is QEMU's standard input and output.  A reader thread
collects everything the kernel prints into the log; the test waits for
patterns in it (the monitor prompt, usually) and types commands.  Every
wait has a deadline, output is capped, and QEMU is always killed at the
end, so no kernel can hang or flood the grader.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterable, List, Optional, Sequence

from .checks import Output
from .config import build, minimal_firmware, qemu_command

PROMPT = r"K> "
# More serial output than any lab produces; past it we stop the run.
MAX_OUTPUT = 1 << 20

# The QEMUs this process started and has not stopped yet.  Each runs in
# a session of its own (so that one killpg ends it and whatever it
# spawned), which also means a signal to the grader's process group
# never reaches it: were the grader killed, it would run on, an orphan,
# for ever (a kernel waiting in its monitor never exits).  So they are
# killed at exit, and on SIGTERM and SIGHUP (grade/run.py sends SIGTERM
# to its pytest processes when it is interrupted).
_live: "set[Qemu]" = set()


def kill_live_qemus() -> None:
    """Kills every QEMU this process started and has not stopped."""
    for qemu in list(_live):
        qemu._kill()


def _on_signal(signum, frame) -> None:
    kill_live_qemus()
    # The pytest that grade/run.py started leads a process group of its
    # own, with its xdist workers: they must hear of it too.
    if os.environ.get("EXOLAB_GRADER_GROUP") and os.getpgrp() == os.getpid():
        signal.signal(signum, signal.SIG_IGN)
        os.killpg(0, signal.SIGTERM)
    # Then die of the signal, as without this handler.
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_cleanup() -> None:
    import atexit
    atexit.register(kill_live_qemus)
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGHUP):
        # Only where nobody else handles it already (pytest does not).
        if signal.getsignal(signum) in (signal.SIG_DFL, None):
            signal.signal(signum, _on_signal)


_install_cleanup()


def qemu_arguments(*, image: Optional[Path] = None, iso: Optional[Path] = None,
                   kernel: Optional[Path] = None,
                   cmdline: str = "", memory: int = 128, cpus: int = 1,
                   gdb_socket: Optional[Path] = None,
                   monitor_socket: Optional[Path] = None,
                   disk: Optional[Path] = None,
                   firmware: Optional[Path] = None, vga: bool = True,
                   extra: Sequence[str] = ()) -> List[str]:
    """QEMU's command line for booting the kernel from image (or from
    the GRUB iso) with the serial port on standard input and output and
    no window.  disk, if given, is the second IDE disk (lab 5's file
    system image), opened for writing: pass a copy (gradelib.fsimage).
    kernel, if given, is the kernel's ELF file, which QEMU then loads
    itself through its Multiboot header (-kernel) instead of the BIOS
    running the boot loader on image: the boot loader reads the kernel
    8 KiB per disk command and one 4-byte I/O port access at a time,
    about 0.03 s of emulation for the lab 5 kernel with its user
    programs, and QEMU copies it at once.  The disk stays attached, so the IDE drives are the same.
    firmware, if given, replaces QEMU's BIOS (SeaBIOS) with that file;
    vga=False leaves the display adapter out.
    It is written only here: anything else that boots the kernel the
    grader's way calls this."""
    args = qemu_command() + [
        "-display", "none", "-serial", "stdio",
        "-no-reboot", "-m", str(memory), "-smp", str(cpus),
        # No network card: its boot ROM only slows the boot down.
        "-nic", "none",
    ]
    if iso is not None:
        args += ["-cdrom", str(iso)]
    else:
        args += ["-drive", f"file={image},index=0,media=disk,"
                           f"format=raw,snapshot=on"]
    if kernel is not None:
        args += ["-kernel", str(kernel)]
    if firmware is not None:
        args += ["-bios", str(firmware)]
    if not vga:
        # The kernel then finds no text memory and prints to the serial
        # port only: each character on the VGA screen costs QEMU a
        # device access, and each scrolled line a few thousand.
        args += ["-vga", "none"]
    if disk is not None:
        args += ["-drive", f"file={disk},index=1,media=disk,format=raw"]
    if cmdline:
        # The kernel reads its command line (run=PROGRAM, ...) from
        # QEMU's firmware configuration device (kernel/fwcfg.c).
        # QEMU option syntax: a comma inside a value is written twice.
        escaped = cmdline.replace(",", ",,")
        args += ["-fw_cfg", f"name=opt/exolab/cmdline,string={escaped}"]
    if monitor_socket is not None:
        args += ["-monitor", f"unix:{monitor_socket},server=on,wait=off"]
    else:
        args += ["-monitor", "none"]
    if gdb_socket is not None:
        args += ["-S", "-gdb", f"unix:{gdb_socket},server=on,wait=off"]
    return args + list(extra)


class Qemu:
    """One QEMU process running the kernel, with its serial console."""

    def __init__(self, name: str, *, program: Optional[str] = None,
                 cmdline: str = "", memory: int = 128, cpus: int = 1,
                 iso: bool = False, gdb: bool = False, monitor: bool = False,
                 disk: Optional[Path] = None, extra: Sequence[str] = (),
                 timeout: float = 30.0, boot_loader: bool = False,
                 pc_bios: bool = False):
        self.build = build()
        self.name = name
        self.timeout = timeout
        self.deadline = None
        self.logdir = self.build.logdir
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.logdir / (re.sub(r"[^\w.-]", "_", name) + ".log")
        self.rundir = Path(tempfile.mkdtemp(prefix="exolab-"))
        self.gdb_socket = self.rundir / "gdb.sock" if gdb else None
        # QEMU's own monitor (gradelib.hmp), for keyboard input and
        # looking at physical memory.
        self.monitor_socket = self.rundir / "monitor.sock" if monitor else None
        self.disk = disk
        # Lab 1's own boot loader runs only for the tests that are about
        # it (boot_loader=True); the others have QEMU load the kernel.
        self.boot_loader = boot_loader
        # A full PC (SeaBIOS, a VGA adapter) or a minimal one: see
        # _minimal_pc.
        self.pc_bios = pc_bios
        try:
            if program is not None:
                cmdline = f"run={program} {cmdline}".strip()
            self.args = self._arguments(cmdline, memory, cpus, iso, extra)
        except BaseException:
            # No kernel image (say): there will be no run to clean up.
            shutil.rmtree(self.rundir, ignore_errors=True)
            raise
        self.output = bytearray()
        self.notes: List[str] = []
        self.lock = threading.Condition()
        self.proc = None
        self.reader = None
        self.exited = False
        self.result: Optional[Output] = None

    def _arguments(self, cmdline, memory, cpus, iso, extra) -> List[str]:
        return qemu_arguments(
            image=None if iso else self.build.require(self.build.image),
            iso=self.build.require(self.build.iso) if iso else None,
            kernel=self._direct_kernel(iso),
            cmdline=cmdline, memory=memory, cpus=cpus, gdb_socket=self.gdb_socket,
            monitor_socket=self.monitor_socket,
            disk=self.build.require(self.disk) if self.disk else None,
            firmware=self._firmware(iso), vga=not self._minimal_pc(iso),
            extra=extra)

    def _direct_kernel(self, iso) -> Optional[Path]:
        """The kernel ELF for QEMU to load itself, or None to boot from
        the disk image (or the iso) through a loader: when the test asks
        for the boot loader, or the build has only a disk image."""
        if iso or self.boot_loader or not self.build.kernel.exists():
            return None
        return self.build.kernel

    def _minimal_pc(self, iso) -> bool:
        """Does this run boot a minimal PC: no display adapter, and QEMU
        loads the kernel through the minimal firmware (where it has one)?
        Yes, unless the test is about what only a full PC has (pc_bios:
        the BIOS's keyboard controller set-up, the VGA text screen, the
        MP tables) or about the boot loader."""
        return not self.pc_bios and self._direct_kernel(iso) is not None

    def _firmware(self, iso) -> Optional[Path]:
        """The firmware that hands the kernel over, or None for QEMU's
        own BIOS (SeaBIOS)."""
        return minimal_firmware() if self._minimal_pc(iso) else None

    # -- lifetime ---------------------------------------------------------

    def start(self) -> "Qemu":
        self.started = time.monotonic()
        self.deadline = self.started + self.timeout
        self.stderr_file = open(self.rundir / "stderr", "w+b")
        self.proc = subprocess.Popen(
            self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr_file, start_new_session=True)
        _live.add(self)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        return self

    def _read(self) -> None:
        while True:
            chunk = self.proc.stdout.read1(65536)
            with self.lock:
                if not chunk:
                    self.exited = True
                    self.lock.notify_all()
                    return
                self.output += chunk
                if len(self.output) > MAX_OUTPUT:
                    self.notes.append(
                        f"the kernel printed more than {MAX_OUTPUT} bytes; "
                        f"the run was stopped")
                    self.exited = True
                    self.lock.notify_all()
                    self._kill()
                    return
                self.lock.notify_all()

    def _kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self) -> Output:
        """Ends QEMU and returns everything the kernel printed."""
        if self.result is not None:
            return self.result
        self._kill()
        _live.discard(self)
        if self.proc:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            if self.reader:
                self.reader.join(timeout=5)
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self.stderr_file.seek(0)
            stderr = self.stderr_file.read().decode(errors="replace").strip()
            self.stderr_file.close()
            # QEMU's own complaints (not the kill we sent) are worth seeing.
            stderr = "\n".join(l for l in stderr.splitlines()
                               if "terminating on signal" not in l)
            if stderr:
                self.notes.append("QEMU said: " + stderr[:500])
        text = self.output.decode(errors="replace")
        with open(self.log_path, "w") as log:
            log.write(text)
            if self.notes:
                log.write("\n--- grader notes ---\n" + "\n".join(self.notes) + "\n")
        shutil.rmtree(self.rundir, ignore_errors=True)
        self.result = Output(text, log_path=self._display_path(),
                             notes=self.notes)
        return self.result

    def _display_path(self) -> str:
        try:
            return str(self.log_path.relative_to(Path.cwd()))
        except ValueError:
            return str(self.log_path)

    def __enter__(self) -> "Qemu":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- talking to the kernel ---------------------------------------------

    def wait_for(self, pattern: str, start: int = 0) -> Optional[int]:
        """Waits until the output from byte `start` on contains pattern;
        returns the offset just past the match, or None if QEMU exited or
        the run's deadline passed (a note says which)."""
        regex = re.compile(pattern.encode())
        with self.lock:
            while True:
                m = regex.search(self.output, start)
                if m:
                    return m.end()
                if self.exited:
                    # Its output ends just before the process does.
                    try:
                        code = self.proc.wait(timeout=1)
                    except subprocess.TimeoutExpired:
                        code = None
                    if not any("more than" in n for n in self.notes):
                        self.notes.append(
                            f"QEMU exited (status {code}) while waiting for "
                            f"{pattern!r}: did the kernel triple-fault or "
                            f"reset the machine?")
                    return None
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    self.notes.append(
                        f"timed out after {self.timeout:g}s waiting for "
                        f"{pattern!r} (is the kernel stuck?)")
                    return None
                self.lock.wait(min(remaining, 0.5))

    def send(self, text: str) -> None:
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass


def run_kernel(name: str, commands: Iterable[str] = (), *,
               until: str = PROMPT, **options) -> Output:
    """Boots the kernel and waits for `until` (the monitor prompt); then
    types each command, waiting for the prompt after each.  Returns the
    whole output.  Options go to Qemu (program=, cmdline=, memory=,
    iso=, ...)."""
    with Qemu(name, **options) as qemu:
        type_commands(qemu, commands, until)
    return qemu.stop()


def type_commands(qemu: "Qemu", commands: Sequence[str], until: str = PROMPT,
                  position: int = 0) -> Optional[int]:
    """Waits for `until` (after `position`), then types each command,
    waiting for `until` after each; returns where the last wait ended,
    or None if one timed out (the rest are not typed)."""
    position = qemu.wait_for(until, position)
    for command in commands:
        if position is None:
            break
        qemu.send(command + "\n")
        position = qemu.wait_for(until, position)
    return position
