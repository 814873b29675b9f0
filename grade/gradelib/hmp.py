"""A client for QEMU's human monitor (HMP) over a Unix socket.

Tests use it to do what a person at the machine would: type on the PS/2
keyboard (`sendkey`) or look at physical memory (`xp`), such as the VGA
text buffer.  Each command's answer is the text QEMU prints before its
next `(qemu) ` prompt.
"""
import re
import socket

from .checks import GradeFailure
from .unixsocket import connect

PROMPT = b"(qemu) "
# QEMU's monitor decorates its output with terminal escape sequences.
_ESCAPES = re.compile(rb"\x1b\[[0-9;]*[A-Za-z]|\x1b[^\[]")


class QemuMonitor:
    def __init__(self, socket_path, timeout: float = 10.0):
        self.timeout = timeout
        self.sock = connect(socket_path, timeout, "QEMU's monitor")
        self.buffer = b""
        self._read_to_prompt()      # the greeting

    def close(self) -> None:
        self.sock.close()

    def _read_to_prompt(self) -> str:
        self.sock.settimeout(self.timeout)
        while PROMPT not in self.buffer:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise GradeFailure("QEMU's monitor did not answer")
            if not chunk:
                raise GradeFailure("QEMU's monitor closed the connection")
            self.buffer += chunk
        text, _, self.buffer = self.buffer.partition(PROMPT)
        return _ESCAPES.sub(b"", text).decode(errors="replace").replace("\r", "")

    def command(self, line: str) -> str:
        """Runs one monitor command; returns its output (without the
        echoed command line)."""
        self.sock.sendall(line.encode() + b"\n")
        text = self._read_to_prompt()
        lines = text.split("\n")
        # QEMU echoes the command first.
        if lines and line in lines[0]:
            lines = lines[1:]
        return "\n".join(lines).strip("\n")

    def type_text(self, text: str) -> None:
        """Types text on the PS/2 keyboard, one key at a time."""
        for ch in text:
            self.command("sendkey " + key_name(ch))


_KEY_NAMES = {" ": "spc", "\n": "ret", "-": "minus", "=": "equal",
              ".": "dot", ",": "comma", "/": "slash", "'": "apostrophe",
              ";": "semicolon", "_": "shift-minus"}


def key_name(ch: str) -> str:
    """QEMU's sendkey name for the key(s) that type ch."""
    if ch in _KEY_NAMES:
        return _KEY_NAMES[ch]
    if ch.isalpha() and ch.isupper():
        return "shift-" + ch.lower()
    if ch.isalnum():
        return ch
    raise ValueError(f"no key name for {ch!r}")
