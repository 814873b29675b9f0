"""Qemu and run_kernel, with fake_qemu.py standing in for QEMU: every run
ends with the right verdict by its deadline, says why it ended, leaves
its log and no process behind, and parallel runs keep to themselves.

Runs that take a while (the timeouts) happen once per module; the tests
that examine them share them.
"""
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from gradelib import GradeFailure, Output, Qemu, run_kernel
from gradelib.qemu import MAX_OUTPUT

FAKE_QEMU = Path(__file__).resolve().parent / "fake_qemu.py"
# Slack for process start-up and scheduling on a loaded machine.
SLACK = 1.5


@dataclass
class Run:
    output: Output
    seconds: float
    pid: int


@pytest.fixture(scope="module")
def objdir(tmp_path_factory):
    """An object directory with an (empty) kernel image, and the
    environment that makes gradelib run the fake QEMU."""
    objdir = tmp_path_factory.mktemp("obj")
    (objdir / "kernel.img").touch()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("EXOLAB_OBJDIR", str(objdir))
        env.setenv("EXOLAB_QEMU", f"{sys.executable} {FAKE_QEMU}")
        env.delenv("FAKE_QEMU_MODE", raising=False)
        yield objdir


def boot(objdir: Path, mode: str, name: str, commands=("kerninfo", "xyzzy"),
         timeout: float = 3.0) -> Run:
    """run_kernel against the fake QEMU in `mode`, timed."""
    pidfile = objdir / f"{name}.pid"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FAKE_QEMU_MODE", mode)
        started = time.monotonic()
        output = run_kernel(name, commands, timeout=timeout,
                            extra=["-pidfile", str(pidfile)])
        seconds = time.monotonic() - started
    return Run(output, seconds, int(pidfile.read_text()))


def is_running(pid: int) -> bool:
    """Whether process pid exists (a zombie counts: it was not reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def runs(objdir):
    """One run in each mode of the fake QEMU."""
    return {
        "monitor": boot(objdir, "monitor", "monitor"),
        "hang": boot(objdir, "hang", "hang", timeout=2),
        "triple": boot(objdir, "triple", "triple"),
        "flood": boot(objdir, "flood", "flood"),
        "early": boot(objdir, "early", "early"),
        "panic": boot(objdir, "panic", "panic"),
        "slow-prompt": boot(objdir, "slow-prompt", "slow-prompt"),
    }


# ----------------------------------------------------------- the monitor

def test_monitor_commands_are_typed_and_answered(runs):
    runs["monitor"].output.expect(
        r"ExoLab exokernel", r"K> kerninfo", r"Special kernel symbols:",
        r"K> xyzzy", r"Unknown command 'xyzzy'", r"K> ")


def test_monitor_run_ends_at_the_last_prompt_not_the_deadline(runs):
    assert runs["monitor"].seconds < 3.0 - 1.0


def test_monitor_run_has_no_notes(runs):
    assert runs["monitor"].output.notes == []


def test_slow_prompt_is_waited_for(runs):
    run = runs["slow-prompt"]
    run.output.expect(r"K> kerninfo", r"Special kernel symbols:")
    assert 1.0 <= run.seconds < 1.0 + SLACK


def test_slow_prompt_past_the_deadline_times_out(objdir):
    run = boot(objdir, "slow-prompt", "slow-prompt-short", timeout=0.5)
    assert 0.5 <= run.seconds < 0.5 + SLACK
    assert run.output.notes == [
        "timed out after 0.5s waiting for 'K> ' (is the kernel stuck?)"]


def test_panic_fails_the_forbidden_line_check(runs):
    with pytest.raises(GradeFailure, match="forbidden line: kernel panic at "
                                           "kernel/x.c:1: boom"):
        runs["panic"].output.expect(r"K> .*", no=[r"kernel panic.*"])


# ------------------------------------------------------ runs that go wrong

def test_hang_ends_at_the_deadline(runs):
    assert 2.0 <= runs["hang"].seconds < 2.0 + SLACK


def test_hang_note_names_the_timeout_and_the_pattern(runs):
    assert runs["hang"].output.notes == [
        "timed out after 2s waiting for 'K> ' (is the kernel stuck?)"]


def test_hang_fails_the_prompt_check_with_the_note(runs):
    with pytest.raises(GradeFailure) as caught:
        runs["hang"].output.expect(r"ExoLab exokernel", r"K> .*")
    assert "timed out after 2s" in str(caught.value)


def test_triple_fault_ends_the_run_at_once(runs):
    assert runs["triple"].seconds < SLACK


def test_triple_fault_note_says_qemu_exited_and_how(runs):
    (note,) = runs["triple"].output.notes
    assert note.startswith("QEMU exited (status 0) while waiting for 'K> '")


def test_triple_fault_keeps_what_was_printed_before(runs):
    runs["triple"].output.expect(r"ExoLab exokernel",
                                 r"entering test_backtrace 4")


def test_flood_is_stopped_at_the_output_cap(runs):
    run = runs["flood"]
    assert run.seconds < 3.0
    assert MAX_OUTPUT < len(run.output.text) < 2 * MAX_OUTPUT


def test_flood_note_names_the_cap_only(runs):
    assert runs["flood"].output.notes == [
        f"the kernel printed more than {MAX_OUTPUT} bytes; the run was stopped"]


def test_early_exit_ends_the_run_at_once(runs):
    assert runs["early"].seconds < SLACK


def test_early_exit_notes_quote_qemus_error(runs):
    notes = runs["early"].output.notes
    assert notes[0].startswith("QEMU exited (status 1)")
    assert notes[1] == ("QEMU said: qemu-system-i386: -drive file=kernel.img: "
                        "Could not open 'kernel.img'")


@pytest.mark.parametrize("mode", ["monitor", "hang", "triple", "flood",
                                  "early", "panic", "slow-prompt"])
def test_qemu_process_is_gone_after_the_run(runs, mode):
    assert not is_running(runs[mode].pid)


# -------------------------------------------------------------------- logs

def test_log_holds_the_whole_output(runs, objdir):
    log = objdir / "grade" / "monitor.log"
    assert log.read_text() == runs["monitor"].output.text


def test_log_ends_with_the_grader_notes(runs, objdir):
    log = (objdir / "grade" / "hang.log").read_text()
    assert log.endswith("\n--- grader notes ---\n"
                        "timed out after 2s waiting for 'K> ' "
                        "(is the kernel stuck?)\n")


def test_output_names_its_log(runs, objdir):
    # Relative to the current directory, where it can be.
    named = Path.cwd() / runs["hang"].output.log_path
    assert named.resolve() == (objdir / "grade" / "hang.log").resolve()


def test_log_name_is_made_safe_for_a_file(objdir):
    with Qemu("lab1 boot/loader") as qemu:
        pass
    assert qemu.log_path == objdir / "grade" / "lab1_boot_loader.log"
    assert qemu.log_path.exists()


# ------------------------------------------------------- the Qemu object

def test_wait_for_from_an_offset_finds_the_next_match(objdir, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_MODE", "monitor")
    with Qemu("offsets", timeout=3) as qemu:
        first = qemu.wait_for(r"K> ")
        qemu.send("kerninfo\n")
        second = qemu.wait_for(r"K> ", first)
    assert first is not None and second is not None and second > first
    assert "Special kernel symbols:" in qemu.output[first:second].decode()


def test_stop_returns_the_same_output_twice(objdir, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_MODE", "triple")
    with Qemu("stop-twice", timeout=3) as qemu:
        qemu.wait_for(r"K> ")
    assert qemu.stop() is qemu.stop()


def test_send_after_qemu_exited_is_harmless(objdir, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_MODE", "triple")
    with Qemu("send-after-exit", timeout=3) as qemu:
        qemu.wait_for(r"K> ")
        qemu.send("kerninfo\n")


def test_run_directory_is_removed(objdir, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_MODE", "triple")
    with Qemu("rundir", gdb=True, timeout=3) as qemu:
        assert qemu.rundir.is_dir()
    assert not qemu.rundir.exists()


def test_disk_is_opened_read_only_and_reboot_disabled(objdir):
    qemu = Qemu("arguments")
    qemu.stop()
    assert f"file={objdir / 'kernel.img'},index=0,media=disk,format=raw," \
           f"snapshot=on" in qemu.args
    assert "-no-reboot" in qemu.args


def test_gdb_stub_listens_on_a_private_unix_socket(objdir):
    qemu = Qemu("gdb-arguments", gdb=True)
    qemu.stop()
    assert qemu.gdb_socket.parent == qemu.rundir
    assert qemu.args[-3:] == [
        "-S", "-gdb", f"unix:{qemu.gdb_socket},server=on,wait=off"]


def test_program_and_command_line_reach_the_kernel_by_fw_cfg(objdir):
    qemu = Qemu("cmdline", program="hello", cmdline="nomap")
    qemu.stop()
    i = qemu.args.index("-fw_cfg")
    assert qemu.args[i + 1] == "name=opt/exolab/cmdline,string=run=hello nomap"


@pytest.mark.parametrize("options,firmware,kernel,bios,vga", [
    ({}, "qboot.rom", True, "qboot.rom", False),
    ({}, None, True, None, False),
    ({"pc_bios": True}, "qboot.rom", True, None, True),
    ({"boot_loader": True}, "qboot.rom", False, None, True),
], ids=["minimal-pc", "minimal-pc-without-qboot", "pc-bios", "boot-loader"])
def test_machine_is_minimal_unless_the_test_needs_a_full_pc(
        tmp_path, monkeypatch, options, firmware, kernel, bios, vga):
    """QEMU loads the kernel and boots it through qboot (where QEMU has
    it) with no display adapter, unless the test asks for the PC BIOS
    or the boot loader; then SeaBIOS and the VGA screen."""
    import gradelib.qemu
    (tmp_path / "kernel.img").touch()
    (tmp_path / "kernel").mkdir()
    (tmp_path / "kernel" / "kernel").touch()
    monkeypatch.setenv("EXOLAB_OBJDIR", str(tmp_path))
    monkeypatch.setenv("EXOLAB_QEMU", f"{sys.executable} {FAKE_QEMU}")
    monkeypatch.setattr(gradelib.qemu, "minimal_firmware",
                        lambda: firmware and tmp_path / firmware)
    qemu = Qemu("machine", **options)
    qemu.stop()
    args = qemu.args
    assert ("-kernel" in args) == kernel
    assert (args[args.index("-bios") + 1] if "-bios" in args else None) == \
        (bios and str(tmp_path / bios))
    no_display = "-vga" in args and args[args.index("-vga") + 1] == "none"
    assert no_display == (not vga)


def test_missing_image_fails_before_starting(tmp_path, monkeypatch):
    monkeypatch.setenv("EXOLAB_OBJDIR", str(tmp_path))
    monkeypatch.setenv("EXOLAB_QEMU", f"{sys.executable} {FAKE_QEMU}")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(GradeFailure, match=r"kernel\.img does not exist"):
        Qemu("no-image")
    assert not list(tmp_path.glob("exolab-*")), "left a run directory behind"


# ------------------------------------------------------------- in parallel

def test_parallel_runs_see_only_their_own_commands(objdir, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_MODE", "monitor")
    outputs = {}

    def run(i: int) -> None:
        outputs[i] = run_kernel(f"parallel-{i}", [f"command{i}"], timeout=5)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outputs) == list(range(6))
    for i, output in outputs.items():
        output.expect(rf"K> command{i}", rf"Unknown command 'command{i}'")
        others = [f"command{j}" for j in range(6) if j != i]
        assert not any(other in output.text for other in others)


def test_parallel_deadlines_run_concurrently(objdir, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_MODE", "hang")
    seconds = {}

    def run(i: int) -> None:
        started = time.monotonic()
        run_kernel(f"parallel-hang-{i}", timeout=1)
        seconds[i] = time.monotonic() - started

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(1.0 <= s < 1.0 + SLACK for s in seconds.values())
    assert time.monotonic() - started < 1.0 + SLACK
