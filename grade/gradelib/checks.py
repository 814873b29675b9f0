"""Checking what the kernel printed.

Every pattern is a regular expression matched against whole lines
(anchored at both ends), so "6828 decimal is 15254 octal!" cannot pass
by appearing inside a longer line.  A failure says which line was
missing or forbidden, shows the closest line the kernel did print, and
names the full log.
"""
import difflib
import re
from typing import Iterable, List, Optional


class GradeFailure(AssertionError):
    """A test's verdict: what went wrong, in words for the student."""


def _compile(pattern: str) -> "re.Pattern":
    return re.compile(r"(?:%s)\Z" % pattern)


class Output:
    """The console output of one run, with the means to check it."""

    def __init__(self, text: str, log_path=None, notes: Iterable[str] = ()):
        # Serial lines end in \n (sometimes \r\n); the BIOS may leave
        # junk before our first line.  Compare line by line.
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.lines: List[str] = self.text.split("\n")
        self.log_path = log_path
        # Why the run ended, if not normally (timeout, QEMU exited...).
        self.notes = list(notes)

    def __str__(self):
        return self.text

    def _where(self, shown: str = "") -> str:
        parts = []
        # A panic explains most missing lines: say so up front.
        panic = next((l for l in self.lines if l.startswith("kernel panic at ")), None)
        if panic is not None and panic != shown:
            parts.append("the kernel panicked: " + panic)
        # So does a stub that says it is not written yet.
        stub = next((l for l in self.lines if "not implemented" in l
                     and l != panic and l != shown), None)
        if stub is not None:
            parts.append("the kernel said: " + stub)
        for note in self.notes:
            parts.append(note)
        if self.log_path:
            parts.append(f"full output: {self.log_path}")
        return "".join("\n    " + p for p in parts)

    def _closest(self, pattern: str) -> Optional[str]:
        literal = re.sub(r"\\(.)", r"\1", pattern.strip("^$"))
        found = difflib.get_close_matches(literal, self.lines, n=1,
                                          cutoff=0.5)
        return found[0] if found else None

    def find(self, pattern: str, start: int = 0) -> int:
        """Index of the first line at or after `start` matching pattern,
        or -1."""
        regex = _compile(pattern)
        for i in range(start, len(self.lines)):
            if regex.match(self.lines[i]):
                return i
        return -1

    def match(self, pattern: str) -> Optional["re.Match"]:
        """The first line matching pattern, as a match object."""
        regex = _compile(pattern)
        for line in self.lines:
            m = regex.match(line)
            if m:
                return m
        return None

    def matches(self, pattern: str) -> List["re.Match"]:
        regex = _compile(pattern)
        return [m for m in map(regex.match, self.lines) if m]

    def expect(self, *patterns: str, no: Iterable[str] = (),
               ordered: bool = True) -> None:
        """Each pattern must match a line (in this order, if ordered),
        and no line may match a pattern in `no`."""
        for pattern in no:
            i = self.find(pattern)
            if i >= 0:
                raise GradeFailure(
                    f"forbidden line: {self.lines[i]}\n    (it matches "
                    f"/{pattern}/){self._where(shown=self.lines[i])}")
        position = 0
        for pattern in patterns:
            i = self.find(pattern, position)
            if i < 0:
                message = f"missing a line matching /{pattern}/"
                if ordered and self.find(pattern) >= 0:
                    message += " (it appears, but out of order)"
                else:
                    closest = self._closest(pattern)
                    if closest is not None:
                        message += f"\n    closest line printed: {closest}"
                raise GradeFailure(message + self._where())
            if ordered:
                position = i + 1

    def fail(self, message: str) -> None:
        raise GradeFailure(message + self._where())
