"""Running user/fuzzsys.c under the grader's eye (the fuzz tests of
labs 3 and 4).  The grader picks the base seed at grading time and
passes it as the fuzzer's argument; at fuzz_report(), where each run
prints its count of calls and its checksum of the kernel's answers,
a breakpoint stops it and the grader reads the same numbers from its
memory.  A kernel that prints the fuzzer's lines without running it
never stops there, and cannot know the checksum.
"""
import random
import struct

from .config import build
from .elf import symbols
from .watch import run_with_breakpoint

USER_CS = 0x1B
# user/fuzzsys.c's struct fuzz_report: base seed, envid, stream seed,
# calls made, checksum of the kernel's answers.
FUZZ_REPORT = struct.Struct("<5I")
CALLS = 10000  # user/fuzzsys.c's FUZZ_CALLS
PRINTED = (r"fuzzsys: env ([0-9a-f]{8}) made (\d+) calls from base seed (\d+), "
           r"answers' checksum ([0-9a-f]{8})")


def grading_seed() -> int:
    return random.SystemRandom().randrange(2, 1 << 31)


def stream_seed(seed: int, envid: int) -> int:
    """user/fuzzsys.c's stream_seed(): the base seed mixed with the
    instance's envid."""
    x = ((seed * 0x9E3779B9) ^ envid) & 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    x ^= x >> 16
    return x or 1


def run_fuzzer(name: str, runs: int, seed: int, mode: str = "", commands=("pages",),
               **options):
    """Boots fuzzsys[:mode]:SEED*runs, watching fuzz_report(); once the
    runs are over, types `commands` at the monitor.  Returns the output,
    with .reports: (cs, seed, envid, stream seed, calls, checksum) at
    each stop.  Options go to Qemu (cpus=, timeout=)."""
    fuzzer = symbols(build().require(build().objdir / "user" / "fuzzsys"))
    stop, report = fuzzer["fuzz_report"], fuzzer["report"]
    argument = f"{mode}:{seed}" if mode else str(seed)
    reports = []

    def read_report(stub, regs):
        reports.append((regs["cs"],) + FUZZ_REPORT.unpack(
            stub.read_memory(report, FUZZ_REPORT.size)))

    # One stop per run, and one more to see that there is none.
    output = run_with_breakpoint(name, stop, read_report, runs + 1, commands=commands,
                                 hit_timeout=60, program=f"fuzzsys:{argument}*{runs}",
                                 **options)
    output.reports = reports
    return output


def check_reports(output, runs: int, seed: int) -> None:
    """Each run reached fuzz_report() in user mode, from the grader's
    seed, after CALLS calls, and printed the count and checksum its
    memory holds."""
    printed = [(int(m.group(1), 16), int(m.group(3)), int(m.group(2)), int(m.group(4), 16))
               for m in output.matches(PRINTED)]
    if len(output.reports) != runs:
        envs = " ".join(f"{report[2]:08x}" for report in output.reports)
        output.fail(f"the fuzzer reached fuzz_report() {len(output.reports)} times, not "
                    f"{runs} (the grader watched through the gdb stub; envs {envs})")
    for cs, rseed, envid, stream, calls, checksum in output.reports:
        if cs != USER_CS:
            output.fail(f"the fuzzer reached fuzz_report() with CS = {cs:#x}, not in "
                        f"user mode (CS = {USER_CS:#x})")
        if rseed != seed or stream != stream_seed(seed, envid) or calls != CALLS:
            output.fail(f"the fuzzer of env {envid:08x} ran with seed {rseed} (stream "
                        f"{stream}) and made {calls} calls; the grader gave seed {seed} "
                        f"(stream {stream_seed(seed, envid)}) for {CALLS} calls")
        if (envid, seed, calls, checksum) not in printed:
            output.fail(f"the fuzzer of env {envid:08x} holds {calls} calls and checksum "
                        f"{checksum:08x} in its memory (read through the gdb stub), "
                        f"but no line printed says so")
