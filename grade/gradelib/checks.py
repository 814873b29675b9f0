"""Checking what the kernel printed.

Every pattern is a regular expression matched against whole lines
(anchored at both ends), so "6828 decimal is 15254 octal!" cannot pass
by appearing inside a longer line.  A failure says which line was
missing or forbidden, shows the closest line the kernel did print, and
names the full log.

Lines are cleaned first: NUL bytes (memory the kernel printed) are
dropped, other control characters are shown as \\xNN, and a kernel
panic always starts a line of its own, wherever the kernel printed it.
A test may name the stubs it depends on (gradelib.stubs), so that its
failure cites those "not implemented" lines and not others.
"""
import difflib
import re
from typing import Iterable, List, Optional


class GradeFailure(AssertionError):
    """A test's verdict: what went wrong, in words for the student."""


PANIC = "kernel panic at "
PROMPT = "K> "
# Longest line a message quotes.
MAX_QUOTE = 300
# The stubs the running test depends on (set by gradelib.plugin from
# the test's @stubs marker); None: the test named none.
_current_stubs = None


def set_stubs(names) -> None:
    global _current_stubs
    _current_stubs = tuple(names) if names is not None else None


def printable(text: str) -> str:
    """text without NULs and with other control characters (but tab and
    newline) escaped, safe to show on a terminal."""
    text = text.replace("\0", "")
    return re.sub(r"[\x01-\x08\x0b-\x1f\x7f]", lambda m: "\\x%02x" % ord(m.group()), text)


def quote(line: str) -> str:
    line = printable(line)
    return line if len(line) <= MAX_QUOTE else line[:MAX_QUOTE] + "..."


def _compile(pattern: str) -> "re.Pattern":
    return re.compile(r"(?:%s)\Z" % pattern)


class Output:
    """The console output of one run, with the means to check it."""

    def __init__(self, text: str, log_path=None, notes: Iterable[str] = ()):
        # Serial lines end in \n (sometimes \r\n); the BIOS may leave
        # junk before our first line.  Compare line by line.
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        clean = printable(self.text)
        # A panic is a line of its own even if the kernel was in the
        # middle of one (or of a run of NULs) when it panicked.
        clean = re.sub(r"(?<=[^\n])(?=%s)" % PANIC, "\n", clean)
        self.lines: List[str] = clean.split("\n")
        self.log_path = log_path
        # Why the run ended, if not normally (timeout, QEMU exited...).
        self.notes = list(notes)

    def __str__(self):
        return self.text

    def _panic(self) -> Optional[str]:
        return next((l for l in self.lines if l.startswith(PANIC)), None)

    def _where(self, shown: str = "") -> str:
        parts = []
        # A panic explains most missing lines: say so up front.
        panic = self._panic()
        if panic is not None and panic != shown:
            parts.append("the kernel panicked: " + quote(panic))
            context = self.lines.index(panic) + 1
            if context < len(self.lines) and self.lines[context].startswith("  env "):
                parts.append("  " + quote(self.lines[context].strip()))
        # So does a stub that says it is not written yet: the test's
        # own stubs if it named them, else the first one printed.
        stubs = [l for l in self.lines if "not implemented" in l
                 and l != panic and l != shown]
        if _current_stubs is not None:
            stubs = [l for l in stubs if any(
                re.search(re.escape(name) + r":? not implemented", l)
                for name in _current_stubs)]
        for stub in stubs[:2]:
            parts.append("the kernel said: " + quote(stub))
        for note in self.notes:
            parts.append(note)
        if self.log_path:
            parts.append(f"full output: {self.log_path}")
        return "".join("\n    " + p for p in parts)

    def _closest(self, pattern: str) -> str:
        """The line most like pattern, to show next to a missing line."""
        literal = re.sub(r"\\(.)", r"\1", pattern.strip("^$"))
        printed = [l for l in self.lines if l.strip()]
        if not printed:
            return "\n    the kernel printed nothing"
        found = difflib.get_close_matches(literal, printed, n=1, cutoff=0.5)
        if found:
            return "\n    closest line printed: " + quote(found[0])
        # The last line that says something (not a bare prompt).
        said = [l for l in printed if l.strip() != PROMPT.strip()] or printed
        return ("\n    no line printed is like it; the last line printed: "
                + quote(said[-1]))

    def _failed_check(self, pattern: str) -> str:
        """For a line missing after a self-check panicked: which check,
        so that the tests that depend on it say so rather than failing
        as if on their own."""
        panic = self._panic()
        m = re.match(PANIC + r"\S+:\d+: (\w+): ", panic or "")
        if m is None:
            return ""
        function = m.group(1)
        if re.search(r"\b%s\b" % re.escape(function), pattern):
            return ""
        return f"fails because {function} panicked; fix that first\n    "

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
                    f"forbidden line: {quote(self.lines[i])}\n    (it matches "
                    f"/{pattern}/){self._where(shown=self.lines[i])}")
        position = 0
        for pattern in patterns:
            i = self.find(pattern, position)
            if i < 0:
                message = (self._failed_check(pattern)
                           + f"missing a line matching /{pattern}/")
                if ordered and self.find(pattern) >= 0:
                    message += " (it appears, but out of order)"
                else:
                    message += self._closest(pattern)
                raise GradeFailure(message + self._where())
            if ordered:
                position = i + 1

    def fail(self, message: str) -> None:
        raise GradeFailure(message + self._where())
