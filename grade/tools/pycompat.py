#!/usr/bin/env python3
"""Is the grader and its tooling still Python 3.10 code?

    python3 grade/tools/pycompat.py [FILE ...]

Ubuntu 22.04, the Gradescope image, has Python 3.10, the oldest Python
the grader must run on; this machine's Debian 12 has 3.11.  Code that
3.11 accepts can fail on 3.10 in two ways, and this looks for both in
every Python file of the tree (tracked *.py files and scripts whose
first line names python), or in the files named:
  1. syntax: each file must parse with ast.parse(feature_version=(3, 10)),
     which rejects `except*` and later grammar;
  2. names: the standard library's additions of 3.11 and later (tomllib,
     datetime.UTC, typing.Self, ExceptionGroup, enum.StrEnum,
     asyncio.TaskGroup, hashlib.file_digest, contextlib.chdir, ...)
     parse everywhere and fail only when the line runs, on 3.10: the
     check finds them by name in the syntax tree (imports, module
     attributes, builtins), so it sees them in code no test reaches.
It cannot see a 3.11 behaviour behind an old name (say, an environment
variable such as PYTHONSAFEPATH that 3.10 ignores): make test also runs
a short grading under a real 3.10 when it finds one (grade/tools/stages.py).
Prints each problem as FILE:LINE: what; exits 1 if there is any.
"""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OLDEST = (3, 10)

# Modules new in 3.11 or later.
NEW_MODULES = {"tomllib": "3.11", "wsgiref.types": "3.11"}
# (module, name) pairs new in 3.11 or later, met as `module.name` or
# `from module import name`.
NEW_NAMES = {
    ("datetime", "UTC"): "3.11",
    ("typing", "Self"): "3.11", ("typing", "LiteralString"): "3.11",
    ("typing", "Never"): "3.11", ("typing", "assert_never"): "3.11",
    ("typing", "reveal_type"): "3.11", ("typing", "TypeVarTuple"): "3.11",
    ("typing", "Unpack"): "3.11", ("typing", "Required"): "3.11",
    ("typing", "NotRequired"): "3.11", ("typing", "dataclass_transform"): "3.11",
    ("typing", "override"): "3.12", ("typing", "TypeAliasType"): "3.12",
    ("enum", "StrEnum"): "3.11", ("enum", "ReprEnum"): "3.11", ("enum", "verify"): "3.11",
    ("enum", "member"): "3.11", ("enum", "nonmember"): "3.11",
    ("enum", "global_enum"): "3.11", ("enum", "EnumCheck"): "3.11",
    ("asyncio", "TaskGroup"): "3.11", ("asyncio", "timeout"): "3.11",
    ("asyncio", "Runner"): "3.11",
    ("hashlib", "file_digest"): "3.11",
    ("contextlib", "chdir"): "3.11",
    ("sys", "exception"): "3.11",
    ("operator", "call"): "3.11",
    ("math", "exp2"): "3.11", ("math", "cbrt"): "3.11",
    ("logging", "getLevelNamesMapping"): "3.11",
    ("itertools", "batched"): "3.12",
    ("os", "process_cpu_count"): "3.13",
}
# Builtins new in 3.11.
NEW_BUILTINS = {"ExceptionGroup": "3.11", "BaseExceptionGroup": "3.11"}
# Methods new in 3.11 on objects of any module (exceptions' add_note).
NEW_METHODS = {"add_note": "3.11"}


def problems(text: str, path: str = "<text>"):
    """What in one file's source is not Python 3.10: a list of
    "PATH:LINE: what" strings (empty when all is well)."""
    try:
        tree = ast.parse(text, path, feature_version=OLDEST)
    except SyntaxError as e:
        return [f"{path}:{e.lineno}: not Python 3.10 syntax: {e.msg}"]
    found = []

    def say(node, what, since):
        found.append(f"{path}:{node.lineno}: {what} is Python {since}+ "
                     f"(Ubuntu 22.04 has 3.10)")

    # What each local name stands for, from the file's imports
    # (`import datetime as dt` makes dt mean datetime).
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = \
                    alias.name if alias.asname else alias.name.split(".")[0]
                if alias.name in NEW_MODULES:
                    say(node, f"module {alias.name}", NEW_MODULES[alias.name])
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in NEW_MODULES:
                say(node, f"module {node.module}", NEW_MODULES[node.module])
            for alias in node.names:
                if (node.module, alias.name) in NEW_NAMES:
                    say(node, f"{node.module}.{alias.name}",
                        NEW_NAMES[node.module, alias.name])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name):
                module = aliases.get(node.value.id, node.value.id)
                if (module, node.attr) in NEW_NAMES:
                    say(node, f"{module}.{node.attr}", NEW_NAMES[module, node.attr])
            if node.attr in NEW_METHODS:
                say(node, f".{node.attr}()", NEW_METHODS[node.attr])
        elif isinstance(node, ast.Name) and node.id in NEW_BUILTINS:
            say(node, node.id, NEW_BUILTINS[node.id])
        elif type(node).__name__ == "TryStar":
            say(node, "except*", "3.11")
    return sorted(set(found), key=lambda s: (s.split(":")[0], int(s.split(":")[1])))


def python_files(root: Path = ROOT):
    """The tree's Python files: tracked *.py files and tracked scripts
    whose first line names python (grade/tools/check-format is sh)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True)
    names = [n for n in listed.stdout.decode().split("\0") if n]
    if listed.returncode != 0:
        names = [str(p.relative_to(root)) for p in root.rglob("*")
                 if p.is_file() and "obj" not in p.relative_to(root).parts[:1]]
    files = []
    for name in names:
        path = root / name
        if not path.is_file():
            continue
        if name.endswith(".py"):
            files.append(path)
        elif "." not in Path(name).name or name.endswith(".in"):
            with open(path, "rb") as f:
                first = f.readline(200)
            if first.startswith(b"#!") and b"python" in first:
                files.append(path)
    return sorted(files)


def main():
    paths = [Path(p) for p in sys.argv[1:]] or python_files()
    found = []
    for path in paths:
        found += problems(path.read_text(encoding="utf-8"), str(path))
    for line in found:
        print(line)
    print(f"pycompat: {len(paths)} Python files, {len(found)} problems "
          f"for Python {OLDEST[0]}.{OLDEST[1]} (run by Python "
          f"{sys.version_info[0]}.{sys.version_info[1]})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
