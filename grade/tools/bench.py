#!/usr/bin/env python3
"""ExoLab's benchmarks, for instructors and developers.

    python3 grade/tools/bench.py [--boots N] [--labs 1,2,3] [--jobs 2] [--keep]
                           [--make VAR=VALUE ...]
    python3 grade/tools/bench.py --fuzz N [--keep] [--make VAR=VALUE ...]

Run from anywhere in the repository; it uses only Python's standard
library, make and QEMU.  It measures, in this order:

  1. a clean build: `make -jJOBS OBJDIR=<scratch>` from nothing, in the
     default configuration or with the --make variables (the image that
     step builds is the one the next two steps boot);
  2. booting to the monitor's first `K> ` prompt, N times: from starting
     QEMU (QEMU's own start-up, the BIOS and the boot loader included),
     and from the kernel's first byte on the serial port;
  3. the system call figures of user/bench_syscall.c (run=bench_syscall),
     and lab 4's of user/bench_lab4.c (run=bench_lab4: IPC round trips,
     page fault upcalls, copy-on-write faults, fork, a yield with 1 and
     with 500 environments alive), the latter twice:
     under -icount shift=0, where they are exact instruction counts, and
     without, in emulated cycles;
     from lab 5 on, the cache-hot file read of user/bench_fs.c
     (run=fs+bench_fs, on a copy of the built fs.img): in instructions
     per 4 KiB under -icount shift=0, and in MB/s in a second, ordinary
     run, timed by the host between two lines bench_fs prints; and the
     warm spawn of user/bench_spawn.c (run=fs+bench_spawn, -icount);
  4. `make LAB=n grade GRADEFLAGS=-nJOBS` for each lab set: the build
     (and ISO) first, untimed, then the grading alone, timed.

Progress goes to stderr; the result, a markdown block ready to paste
into docs/performance.md, to stdout.  All builds go to a scratch
directory under obj/, removed at the end (--keep keeps it, and with
--fuzz the serial logs fuzz.log and badelf.log in it).  The whole
run takes under a minute on two cores.

--fuzz N runs the robustness campaign of docs/robustness.md instead:
after a clean build, it boots run=fuzzsys*N (N x 10,000 system calls of
user/fuzzsys.c) and checks that every instance survived its calls and
was destroyed by its fatal call exactly as it predicted, that nothing
panicked, and that the monitor's `pages` shows as many free pages
afterwards as after a boot that runs nothing.  The malformed ELF images
(run=badelf-*) get the same page count check.
"""
import argparse
import os
import platform
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[2]
QEMU = os.environ.get("QEMU", "qemu-system-i386")
# QEMU runs exactly as the grader runs it (gradelib.qemu_arguments).
sys.path.insert(0, str(ROOT / "grade"))
from gradelib.qemu import qemu_arguments  # noqa: E402
PROMPT = b"K> "

# The project's targets (docs/performance.md).
TARGET_GRADE_ALL_SECONDS = 24.0
# Labs 1-3 (issue 10) and 1-4 (issue 8), graded with -n2.
TARGET_GRADE_SECONDS = {3: 8.0, 4: 15.0, 5: TARGET_GRADE_ALL_SECONDS}
TARGET_BOOT_SECONDS = 0.3
TARGET_SHELL_BOOT_SECONDS = 0.3
TARGET_FS_READ_INSTRUCTIONS = 4000
TARGET_SPAWN_INSTRUCTIONS = 100000


def note(message: str) -> None:
    print("bench: " + message, file=sys.stderr, flush=True)


def fail(message: str, output: str = "") -> None:
    tail = "\n".join(output.splitlines()[-20:])
    sys.exit(f"bench: {message}" + (f"\n{tail}" if tail else ""))


def timed_make(args: List[str]) -> Tuple[float, str]:
    """Runs make in the repository root; returns (seconds, output).
    Exits with make's last lines if it fails."""
    command = ["make"] + args
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        fail(f"`{' '.join(command)}` failed (status {proc.returncode})",
             proc.stdout)
    return elapsed, proc.stdout


# -- the machine -----------------------------------------------------------

def first_line(command: List[str]) -> str:
    try:
        out = subprocess.run(command, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True).stdout
    except OSError:
        return "not found"
    return out.splitlines()[0].strip() if out.strip() else "?"


def machine() -> Dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "qemu": first_line([QEMU, "--version"]),
        "cc": first_line([os.environ.get("CC", "gcc"), "--version"]),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


# -- booting -----------------------------------------------------------------

@dataclass
class Boot:
    output: bytes
    total: float          # QEMU started -> `until` seen (s)
    from_kernel: float    # first serial byte -> `until` seen (s)
    marked: Dict[bytes, float] = None   # when each mark appeared (host)
    cpu: float = 0.0      # QEMU's own CPU time (user + system) by then (s)


def boot(image: Path, until: bytes, cmdline: str = "",
         timeout: float = 30.0, command: str = "", disk: Optional[Path] = None,
         extra: Tuple[str, ...] = (), marks: Tuple[bytes, ...] = ()) -> Boot:
    """Starts QEMU on image (and disk, lab 5's second disk) and reads its
    serial output until `until` appears; then types `command` at the
    monitor, if given, and waits for the prompt after it; then kills
    QEMU.  Exits if something never appears.  The host time at which
    each of `marks` first appeared goes to the result's `marked`."""
    args = qemu_arguments(image=image, cmdline=cmdline, disk=disk, extra=list(extra))
    marked: Dict[bytes, float] = {}
    output = bytearray()
    first_byte: Optional[float] = None
    started = time.perf_counter()
    deadline = started + timeout
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)

    def read_until(pattern: bytes, start: int) -> int:
        """Reads until pattern appears at or after output[start];
        returns the offset just past it."""
        nonlocal first_byte
        while output.find(pattern, start) < 0:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                fail(f"no {pattern!r} within {timeout:g}s of booting {image}"
                     f" {cmdline}", output.decode(errors="replace"))
            ready, _, _ = select.select([proc.stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                fail(f"QEMU exited before {pattern!r}",
                     output.decode(errors="replace"))
            if first_byte is None:
                first_byte = time.perf_counter()
            output.extend(chunk)
            for mark in marks:
                if mark not in marked and output.find(mark) >= 0:
                    marked[mark] = time.perf_counter()
        return output.find(pattern, start) + len(pattern)

    try:
        position = read_until(until, 0)
        seen = time.perf_counter()
        cpu = cpu_seconds(proc.pid)
        if command:
            position = read_until(PROMPT, output.rfind(until))
            proc.stdin.write(command.encode() + b"\n")
            proc.stdin.flush()
            read_until(PROMPT, position)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()
    return Boot(bytes(output), seen - started, seen - first_byte, marked, cpu)


def loadavg() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def cpu_seconds(pid: int) -> float:
    """The CPU time process pid has used (user + system), from Linux's
    /proc; 0 where there is no /proc.  On a loaded machine it says how
    much work a boot was, where the wall time also says how long QEMU
    waited for a core."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime: fields 14 and 15 of the line, 12 and 13 after ")".
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def boot_times(image: Path, count: int) -> List[Boot]:
    boots = []
    for i in range(count):
        boots.append(boot(image, PROMPT))
        note(f"boot {i + 1}/{count}: {boots[-1].total:.3f}s")
    return boots


def shell_boot_times(image: Path, fs_image: Path, scratch: Path,
                     count: int) -> List[Boot]:
    """Lab 5: boots run=fs+init to the shell's first `$ `, each on a
    fresh copy of fs.img (the copy is made before QEMU starts)."""
    boots = []
    if not fs_image.exists():
        return boots
    disk = scratch / "bench-shell.img"
    for i in range(count):
        shutil.copyfile(fs_image, disk)
        boots.append(boot(image, b"$ ", "run=fs+init", disk=disk))
        note(f"shell boot {i + 1}/{count}: {boots[-1].total:.3f}s "
             f"(QEMU CPU {boots[-1].cpu:.2f}s)")
    return boots


def syscall_figures(image: Path) -> Dict[str, Tuple[int, int]]:
    """Boots run=bench_syscall; returns {what: (median, min)} in cycles,
    or nothing if the build has no user programs (before lab 3)."""
    # The prompt comes when bench_syscall has exited (or never started).
    result = boot(image, PROMPT, "run=bench_syscall", timeout=120)
    text = result.output.decode(errors="replace")
    figures = {}
    for m in re.finditer(r"bench_syscall: (.*?): median (\d+) cycles "
                         r"\(min (\d+)", text):
        figures[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    if "bench_syscall: done" not in text:
        note("bench_syscall did not finish: no system call figures")
        return {}
    return figures


# With -icount shift=0, QEMU advances the guest's time-stamp counter by
# one per instruction: an rdtsc delta is an exact instruction count.
ICOUNT = ["-icount", "shift=0"]


def lab4_figures(image: Path, icount: bool) -> Dict[str, Tuple[int, int]]:
    """Boots run=bench_lab4 (with -icount shift=0 if icount); returns
    {what: (median, min)}, or nothing before lab 4."""
    result = boot(image, PROMPT, "run=bench_lab4", timeout=180,
                  extra=ICOUNT if icount else [])
    text = result.output.decode(errors="replace")
    if "bench_lab4: done" not in text:
        note("bench_lab4 did not finish (no lab 4?): no lab 4 figures")
        return {}
    return {m.group(1): (int(m.group(2)), int(m.group(3)))
            for m in re.finditer(r"bench_lab4: (.*?): median (\d+) \(min (\d+)",
                                 text)}


# The lab 4 targets, in instructions (issue 8), by the start of the
# figure's name.
LAB4_TARGETS = {
    "IPC round trip, ipc_send": 1500,
    "IPC round trip, ipc_call": 800,
    "page fault upcall": 1800,
    "copy-on-write fault": 3500,
    "fork, 16 pages": 50000,
}


def fs_figures(image: Path, fs_image: Path, scratch: Path) -> Dict[str, str]:
    """Lab 5: user/bench_fs.c's cache-hot 4 KiB read, in instructions
    (-icount shift=0) and in MB/s (an ordinary run, timed by the host
    between bench_fs's "timed reads start" and "timed reads done")."""
    if not fs_image.exists():
        return {}
    figures = {}
    disk = scratch / "bench-fs.img"

    def counted(program, pattern, name, missing):
        """Boots run=fs+program on a fresh copy of the disk under
        -icount; figures[name] is the count the pattern finds."""
        shutil.copyfile(fs_image, disk)
        result = boot(image, PROMPT, f"run=fs+{program}", timeout=300, disk=disk,
                      extra=ICOUNT)
        m = re.search(pattern, result.output.decode(errors="replace"))
        if m is None:
            note(f"{program} did not finish under -icount: no {missing}")
        else:
            figures[name] = m.group(1)

    counted("bench_fs", r"bench_fs: cache-hot 4 KiB read: (\d+) cycles", "instructions",
            "instruction count")
    shutil.copyfile(fs_image, disk)
    start, done = b"bench_fs: timed reads start", b"bench_fs: timed reads done"
    result = boot(image, PROMPT, "run=fs+bench_fs", timeout=120, disk=disk,
                  marks=(start, done))
    if start in result.marked and done in result.marked:
        seconds = result.marked[done] - result.marked[start]
        # 8 passes over 4 MiB (user/bench_fs.c's PASSES and FILE_SIZE).
        figures["MB/s"] = f"{8 * 4 * 1.048576 / seconds:.0f}"
    # user/bench_spawn.c: the median warm spawn, in instructions.
    counted("bench_spawn", r"bench_spawn: warm spawn: median (\d+) cycles", "spawn",
            "spawn figure")
    return figures


# -- grading -----------------------------------------------------------------

@dataclass
class Grade:
    lab: int
    seconds: float        # `make grade`, start to end
    grader_seconds: str   # what grade/run.py itself reports (its tests)
    score: str


def grade_time(lab: int, objdir: Path, jobs: int) -> Grade:
    """Builds lab set `lab` (untimed), then times `make grade` alone."""
    config = [f"LAB={lab}", f"OBJDIR={objdir}"]
    targets = ["all"]
    if shutil.which("grub-mkrescue"):
        targets.append(f"{objdir}/exolab.iso")   # make grade wants it
    timed_make([f"-j{jobs}"] + config + targets)
    command = ["make"] + config + ["grade", f"GRADEFLAGS=-n{jobs}"]
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - started
    m = re.search(r"^Score: (\d+/\d+)\s+\((\S+)s\)", proc.stdout, re.M)
    score, grader_seconds = (m.group(1), m.group(2)) if m else ("none", "?")
    if proc.returncode != 0:
        score += " (not full marks: see `" + " ".join(command) + "`)"
    return Grade(lab, seconds, grader_seconds, score)


# -- the report ----------------------------------------------------------------

def verdict(value: float, target: float) -> str:
    return "met" if value < target else "**missed**"


def report(info: Dict[str, str], config: str, jobs: int, build_seconds: float,
           boots: List[Boot], figures: Dict[str, Tuple[int, int]],
           grades: List[Grade],
           lab4: Tuple[Dict[str, Tuple[int, int]], Dict[str, Tuple[int, int]]] = ({}, {}),
           fs: Optional[Dict[str, str]] = None,
           shell_boots: Optional[List[Boot]] = None,
           load: Tuple[str, str] = ("?", "?")) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} by `python3 grade/tools/bench.py` on: "
        f"{info['cores']} cores, {info['cpu']}; {info['qemu']}; {info['cc']}; "
        f"Python {info['python']}; {info['os']}. Load average (1, 5, 15 min) "
        f"{load[0]} at the start, {load[1]} at the end.",
        "",
        "| What | Figure | Target |",
        "|---|---|---|",
        f"| Clean build, `make -j{jobs}` ({config}) "
        f"| {build_seconds:.1f} s | |",
    ]
    for prompt, runs, target in (("`K> `", boots, TARGET_BOOT_SECONDS),
                                 ("`$ ` (lab 5, `run=fs+init`)", shell_boots or [],
                                  TARGET_SHELL_BOOT_SECONDS)):
        if not runs:
            continue
        totals = [b.total for b in runs]
        median = statistics.median(totals)
        lines += [
            f"| Boot to the first {prompt}, QEMU start included "
            f"(median of {len(runs)}) | {median:.3f} s "
            f"(min {min(totals):.3f}, max {max(totals):.3f}) "
            f"| < {target} s: {verdict(median, target)} |",
            f"| Boot to the first {prompt}, from the first serial byte "
            f"(median of {len(runs)}) | {statistics.median(b.from_kernel for b in runs):.3f} s | |",
            f"| Boot to the first {prompt}: QEMU's CPU time (user + system) "
            f"by then (median of {len(runs)}) | "
            f"{statistics.median(b.cpu for b in runs):.2f} s | |",
        ]
    for g in grades:
        target = ""
        if g.lab in TARGET_GRADE_SECONDS:
            limit = TARGET_GRADE_SECONDS[g.lab]
            what = "all labs" if g.lab == 5 else f"labs 1-{g.lab}"
            target = f"{what} < {limit:g} s: {verdict(g.seconds, limit)}"
        labs = f"labs 1-{g.lab}" if g.lab > 1 else "lab 1"
        lines.append(f"| `make LAB={g.lab} grade GRADEFLAGS=-n{jobs}` "
                     f"({labs}, score {g.score}) "
                     f"| {g.seconds:.1f} s (the tests: {g.grader_seconds} s) "
                     f"| {target} |")
    for what, (median, least) in figures.items():
        lines.append(f"| bench_syscall: {what} | {median} cycles "
                     f"(min {least}) | |")
    instructions, cycles = lab4
    for what, (median, least) in instructions.items():
        target = next((t for k, t in LAB4_TARGETS.items() if what.startswith(k)), None)
        wall = cycles.get(what)
        lines.append(f"| bench_lab4: {what} | {median:,} instructions"
                     + (f" ({wall[0]:,} cycles)" if wall else "")
                     + " | " + (f"≤ {target:,}: {'met' if median <= target else '**missed**'}"
                                if target else "") + " |")
    if fs and "instructions" in fs:
        target = TARGET_FS_READ_INSTRUCTIONS
        lines.append(f"| bench_fs: cache-hot 4 KiB read of a 4 MiB file "
                     f"(-icount shift=0) | {fs['instructions']} instructions"
                     f"{', ' + fs['MB/s'] + ' MB/s (ordinary run)' if 'MB/s' in fs else ''}"
                     f" | <= {target}: "
                     f"{verdict(int(fs['instructions']), target + 1)} |")
    if fs and "spawn" in fs:
        target = TARGET_SPAWN_INSTRUCTIONS
        lines.append(f"| bench_spawn: warm spawn of a trivial program "
                     f"(-icount shift=0) | {fs['spawn']} instructions"
                     f" | <= {target}: "
                     f"{verdict(int(fs['spawn']), target + 1)} |")
    lines += [
        "",
        "Cycles are QEMU TCG's emulated time-stamp counter (it follows the "
        "host clock): compare them with each other, on one machine, not "
        "with real hardware.",
    ]
    return "\n".join(lines)


# -- the fuzz campaign (docs/robustness.md) ------------------------------------

BAD_ELF_IMAGES = ["badelf-magic", "badelf-truncated", "badelf-header",
                  "badelf-phdrs", "badelf-phnum", "badelf-segment",
                  "badelf-pastend", "badelf-filesz", "badelf-utop",
                  "badelf-entry"]
# A line that starts with one of these is a failure.  (Only at the start
# of a line: what fuzzsys prints with sys_cputs may come from its own
# strings, "WRONG ANSWER" and "user panic in" among them.)
ALARMS = [r"kernel panic", r"\[[0-9a-f]{8}\] user panic",
          r"\[[0-9a-f]{8}\] user fault", r"TRAP frame"]


def alarms(text: str) -> List[str]:
    """The lines of text that report a panic, a fault or a trap."""
    found = []
    for alarm in ALARMS:
        found += re.findall(f"^{alarm}.*$", text, re.M)
    return found


def free_pages(text: str) -> int:
    m = re.search(r"^pages: (\d+) total, (\d+) free", text, re.M)
    if not m:
        fail("the monitor's `pages` printed no count", text)
    return int(m.group(2))


def fatal_calls_as_predicted(text: str) -> Tuple[int, List[str]]:
    """Each instance's "fatal call ... expect "LINE"" must be followed,
    before the next instance starts, by the kernel's LINE.  Returns the
    number of fatal calls and the problems found."""
    fatal, problems = 0, []
    for m in re.finditer(r'fuzzsys: fatal call (.*): expect "(.*)"', text):
        fatal += 1
        next_start = text.find("fuzzsys: env ", m.end())
        if next_start < 0:
            next_start = len(text)
        if text.find(m.group(2), m.end(), next_start) < 0:
            problems.append(f"fatal call {m.group(1)}: no {m.group(2)!r}")
    return fatal, problems


def call_totals(text: str) -> str:
    """Adds up the instances' "fuzzsys: cputs ..." lines."""
    names = ["cputs", "printed", "bytes", "made quiet", "cgetc", "getenvid",
             "env_destroy", "invalid numbers", "fatal draws skipped"]
    totals = [0] * len(names)
    for m in re.finditer(r"fuzzsys: cputs (\d+) \((\d+) printed (\d+) bytes, "
                         r"(\d+) made quiet\), cgetc (\d+), getenvid (\d+), "
                         r"env_destroy (\d+), invalid numbers (\d+); "
                         r"(\d+) fatal draws skipped", text):
        totals = [t + int(n) for t, n in zip(totals, m.groups())]
    return ", ".join(f"{name} {total:,}" for name, total in zip(names, totals))


def fuzz_campaign(image: Path, instances: int, logdir: Path,
                  config: str) -> str:
    note("a boot that runs nothing, for the free page count")
    baseline = free_pages(boot(image, PROMPT, command="pages").output.decode())

    note(f"run=fuzzsys*{instances}")
    # The first prompt: the end of the run, or a user panic's breakpoint.
    run = boot(image, PROMPT, f"run=fuzzsys*{instances}",
               timeout=60 + 2 * instances, command="pages")
    text = run.output.decode(errors="replace")
    (logdir / "fuzz.log").write_text(text)
    seeds = re.findall(r"fuzzsys: env ([0-9a-f]{8}) seed (\d+)", text)
    survived = re.findall(r"fuzzsys: (\d+) calls survived, all answers "
                          r"as expected", text)
    calls = sum(int(n) for n in survived)
    fatal, problems = fatal_calls_as_predicted(text)
    mispredicted = len(problems)
    problems += [f"the run printed {line.strip()!r}" for line in alarms(text)]
    if "No runnable environments in the system!" not in text:
        problems.append("the run did not end with no runnable environments")
    # fuzzsys has sys_cputs print only printable text, and so does the
    # kernel: anything else was printed without being asked for.
    unprintable = len(re.findall(rb"[^\x20-\x7e\r\n\t]", run.output))
    if unprintable:
        problems.append(f"{unprintable} unprintable bytes in the output")
    if len(seeds) != instances or len(survived) != instances:
        problems.append(f"{len(seeds)} instances started, {len(survived)} "
                        f"survived their calls, of {instances}")
    after = free_pages(text)
    if after != baseline:
        problems.append(f"{baseline} free pages before, {after} after")

    note("the malformed ELF images")
    bad_elf = boot(image, PROMPT,
                   "run=" + ",".join(BAD_ELF_IMAGES + ["hello"]),
                   command="pages").output.decode(errors="replace")
    (logdir / "badelf.log").write_text(bad_elf)
    rejected = re.findall(r"env_create: (badelf-[a-z]+): bad ELF image: (.*)",
                          bad_elf)
    if len(rejected) != len(BAD_ELF_IMAGES) or "hello, world" not in bad_elf:
        problems.append(f"{len(rejected)} of {len(BAD_ELF_IMAGES)} bad ELF "
                        f"images rejected, then hello "
                        f"{'ran' if 'hello, world' in bad_elf else 'did not run'}")
    problems += [f"the bad ELF images' run printed {line.strip()!r}"
                 for line in alarms(bad_elf)]
    if free_pages(bad_elf) != baseline:
        problems.append(f"{free_pages(bad_elf)} free pages after the bad "
                        f"ELF images, {baseline} before")

    lines = [
        f"`run=fuzzsys*{instances}` ({time.strftime('%Y-%m-%d')}; "
        f"built with {config}):",
        "",
        f"- instances: {len(seeds)} started, {len(survived)} made all "
        f"their calls and got the answers they predicted: {calls:,} calls",
        f"- the calls: {call_totals(text)}",
        f"- fatal calls: {fatal}, of which {fatal - mispredicted} ended "
        f"their instance with the line it predicted",
        f"- wall time: {run.total:.1f} s from starting QEMU to the monitor",
        f"- free pages: {baseline} after a boot that runs nothing, {after} "
        f"after the run",
        f"- stream seeds: envs {seeds[0][0]}..{seeds[-1][0]}, seeds "
        f"{seeds[0][1]}, {seeds[1][1] if len(seeds) > 1 else ''}, ... "
        f"{seeds[-1][1]}" if seeds else "- stream seeds: none",
        "- malformed ELF images: "
        + "; ".join(f"{name}: {why.strip()}" for name, why in rejected)
        + f"; then hello ran; free pages {free_pages(bad_elf)}",
        "",
        ("**Problems:**\n" + "\n".join(f"- {p}" for p in problems))
        if problems else "No problems found.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark ExoLab: build, boot, system calls, grading.")
    parser.add_argument("--boots", type=int, default=10,
                        help="boots to time (default 10)")
    parser.add_argument("--labs", default="1,2,3",
                        help="lab sets to grade, comma-separated (default 1,2,3)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="make -j and grader -n (default 2)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch build directory")
    parser.add_argument("--boot-only", action="store_true",
                        help="only the build and the boots (to K> and, "
                             "from lab 5, to the shell's $)")
    parser.add_argument("--fuzz", type=int, metavar="N",
                        help="instead: run the fuzz campaign, run=fuzzsys*N")
    parser.add_argument("--make", action="append", default=[],
                        metavar="VAR=VALUE",
                        help="a make variable for the clean build, e.g. "
                             "EXTRA_CFLAGS=-DFUZZ_SEED=7 (repeatable)")
    args = parser.parse_args()
    labs = [int(n) for n in args.labs.split(",") if n.strip()]

    if shutil.which(QEMU) is None:
        fail(f"{QEMU} not found (Debian/Ubuntu: sudo apt install qemu-system-x86)")
    info = machine()
    (ROOT / "obj").mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir=ROOT / "obj"))
    # make wants OBJDIR relative to the repository, like `obj`.
    scratch_rel = scratch.relative_to(ROOT)
    try:
        note(f"clean build into {scratch_rel}/default")
        build_seconds, _ = timed_make(
            [f"-j{args.jobs}", f"OBJDIR={scratch_rel}/default"] + args.make)
        image = scratch / "default" / "kernel.img"
        config = " ".join(args.make) or "default configuration"
        if args.fuzz:
            print(fuzz_campaign(image, args.fuzz, scratch, config))
            return 0
        note(f"{build_seconds:.1f}s; booting {image.relative_to(ROOT)} "
             f"{args.boots} times")
        load_start = loadavg()
        boots = boot_times(image, args.boots)
        shell_boots = shell_boot_times(image, scratch / "default" / "fs.img",
                                       scratch, args.boots)
        figures, lab4, fs, grades = {}, ({}, {}), {}, []
        if args.boot_only:
            labs = []
        else:
            note("run=bench_syscall")
            figures = syscall_figures(image)
            note("run=bench_lab4, with -icount shift=0 and without")
            lab4 = (lab4_figures(image, icount=True), lab4_figures(image, icount=False))
            note("run=fs+bench_fs")
            fs = fs_figures(image, scratch / "default" / "fs.img", scratch)
        for lab in labs:
            note(f"make LAB={lab} grade")
            grades.append(grade_time(lab, scratch_rel / f"lab{lab}", args.jobs))
            note(f"{grades[-1].seconds:.1f}s, score {grades[-1].score}")
    finally:
        if args.keep:
            note(f"kept {scratch_rel}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(report(info, config, args.jobs, build_seconds, boots, figures,
                 grades, lab4, fs, shell_boots, (load_start, loadavg())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
