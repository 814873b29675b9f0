#!/usr/bin/env python3
"""A stand-in for qemu-system-i386, for testing the grader without a
kernel.  It ignores its arguments (all but -pidfile FILE, where like
QEMU it writes its process id, so that a test can check the grader
really ended it) and behaves as FAKE_QEMU_MODE says:

    monitor      a banner, then the monitor: `K> ` prompts, commands read
                 from standard input (the serial port) and echoed
    hang         a banner, then nothing, forever
    triple       a few lines, then exit 0 at once (QEMU on a triple
                 fault with -no-reboot)
    flood        output without end, as fast as it can
    early        an error on standard error, exit 1 (a bad option, say)
    panic        a kernel panic message, then the monitor
    slow-prompt  the monitor, its first prompt after 1 s
"""
import os
import sys
import time

BANNER = "ExoLab exokernel"
PROMPT = "K> "


def say(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def sleep_forever() -> None:
    while True:
        time.sleep(3600)


def answer(command: str) -> None:
    if command == "":
        return
    if command == "kerninfo":
        say("Special kernel symbols:\n"
            "  entry  f010000c (virt)  0010000c (phys)\n")
    else:
        say(f"Unknown command '{command}'\n")


def monitor(prompt_delay: float = 0.0) -> None:
    """The kernel monitor: like the real one, it echoes what it reads
    and answers each line.  At the end of its input it waits, as QEMU
    does, until it is killed."""
    say("Welcome to the ExoLab kernel monitor!\n")
    time.sleep(prompt_delay)
    while True:
        say(PROMPT)
        line = sys.stdin.readline()
        if not line:
            sleep_forever()
        command = line.rstrip("\r\n")
        say(command + "\n")
        answer(command)


def flood() -> None:
    # Line by line, as a kernel printing in a loop would.
    line = ("flood " * 10 + "\n").encode()
    while True:
        os.write(1, line)


def main() -> int:
    if "-pidfile" in sys.argv:
        pidfile = sys.argv[sys.argv.index("-pidfile") + 1]
        with open(pidfile, "w") as f:
            f.write(str(os.getpid()))
    mode = os.environ.get("FAKE_QEMU_MODE", "monitor")
    if mode == "early":
        sys.stderr.write("qemu-system-i386: -drive file=kernel.img: "
                         "Could not open 'kernel.img'\n")
        return 1
    say("\n" + BANNER + "\n")
    if mode == "monitor":
        monitor()
    elif mode == "slow-prompt":
        monitor(prompt_delay=1.0)
    elif mode == "panic":
        say("kernel panic at kernel/x.c:1: boom\n")
        monitor()
    elif mode == "hang":
        sleep_forever()
    elif mode == "triple":
        say("entering test_backtrace 5\nentering test_backtrace 4\n")
        return 0
    elif mode == "flood":
        flood()
    else:
        sys.stderr.write(f"fake_qemu: unknown FAKE_QEMU_MODE {mode!r}\n")
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BrokenPipeError, KeyboardInterrupt):
        # The grader stopped reading: end quietly, as QEMU would.
        os._exit(0)
