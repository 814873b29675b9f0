"""ExoLab's grading library: boot the kernel in QEMU, talk to it, check
what it prints.  A lab's tests (labN/test_labN.py) use only what is
exported here; grade/run.py runs them and prints the score.
"""
from .checks import GradeFailure, Output
from .config import Build, build
from .elf import symbols
from .fsimage import fresh_disk, fsck, read_file
from .gdbstub import GdbStub
from .hmp import QemuMonitor
from .plugin import points, stubs
from .qemu import Qemu, run_kernel
from .watch import breakpoint_hits, resume_until_stop, run_with_breakpoint

__all__ = [
    "Build", "GdbStub", "GradeFailure", "Output", "Qemu", "QemuMonitor", "breakpoint_hits",
    "build", "fresh_disk", "fsck", "points", "read_file", "resume_until_stop", "run_kernel",
    "run_with_breakpoint",
    "stubs", "symbols",
]
