#!/usr/bin/env python3
"""Write the student repository: one git branch per lab.

    python3 grade/handout.py DEST [--labs 1 2 ...]

Branch labN holds lab N's starting point: the tree run through unifdef
with LAB=N and SOL=0, so that code for later labs and every solution
(`#if SOL >= K`) is gone and only the `#else` stubs remain, with no
marker lines left.  Files listed for later labs or for instructors in
grade/handout-files.txt are left out.

Branch labN is created on top of lab(N-1), so students merge each new
lab into their work.  Run it again later (say, to release lab 3) and it
adds commits only where a branch's content changed, so clones that
students already have stay valid.
"""
import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "grade" / "handout-files.txt"
# Files unifdef processes: C, assembly, headers, linker scripts.
PREPROCESSED = (".c", ".h", ".S", ".ld")


def die(message):
    print("handout: " + message, file=sys.stderr)
    sys.exit(1)


def git(*args, cwd, capture=False):
    result = subprocess.run(["git", *args], cwd=cwd, text=True,
                            capture_output=True)
    if result.returncode != 0:
        die(f"git {' '.join(args)} failed in {cwd}:\n{result.stderr}")
    return result.stdout


def read_manifest():
    """Returns (instructor patterns, {lab: patterns})."""
    instructor, by_lab = [], {}
    for line in MANIFEST.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, _, patterns = line.partition(":")
        if key == "instructor":
            instructor += patterns.split()
        elif re.fullmatch(r"lab\d+", key):
            by_lab.setdefault(int(key[3:]), []).extend(patterns.split())
        else:
            die(f"{MANIFEST}: unknown key {key!r}")
    return instructor, by_lab


def matches(path, patterns):
    for pattern in patterns:
        if pattern.endswith("/") and path.startswith(pattern):
            return True
        if fnmatch.fnmatch(path, pattern):
            return True
    return False


def files_for_lab(lab, tracked, instructor, by_lab):
    later = [p for n, pats in by_lab.items() if n > lab for p in pats]
    return [f for f in tracked
            if not matches(f, instructor) and not matches(f, later)]


def write_lab_tree(lab, files, dest):
    """Copies `files` into dest, stripping solution and later-lab code."""
    for path in files:
        src, out = ROOT / path, dest / path
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.endswith(PREPROCESSED):
            # -x2: exit 0 whether or not anything changed, 2 on error.
            proc = subprocess.run(
                ["unifdef", "-x2", f"-DLAB={lab}", "-DSOL=0", "-o", str(out), str(src)],
                capture_output=True, text=True)
            if proc.returncode != 0:
                die(f"unifdef failed on {path}:\n{proc.stderr}")
        elif path == "GNUmakefile":
            text = src.read_text()
            text = re.sub(r"(?m)^LAB \?= \d+$", f"LAB ?= {lab}", text)
            text = re.sub(r"(?m)^SOL \?= \d+$", "SOL ?= 0", text)
            out.write_text(text)
        else:
            shutil.copy2(src, out)


def check_clean(dest, lab):
    """No solution or staging markers may reach students."""
    for path in dest.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        if path.suffix not in (".c", ".h", ".S", ".ld"):
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if re.match(r"\s*#\s*(if|elif).*\b(SOL|LAB)\b", line):
                die(f"lab {lab}: {path.relative_to(dest)}:{number} still has "
                    f"a staging marker: {line.strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--labs", nargs="*", type=int,
                        help="labs to write (default: every labN/ directory)")
    args = parser.parse_args()
    if shutil.which("unifdef") is None:
        die("unifdef not found: sudo apt install unifdef")

    labs = args.labs or sorted(int(p.name[3:]) for p in ROOT.glob("lab[0-9]*")
                               if p.is_dir() and p.name[3:].isdigit())
    instructor, by_lab = read_manifest()
    tracked = git("ls-files", cwd=ROOT).splitlines()
    tracked = [f for f in tracked if (ROOT / f).is_file()]

    dest = args.dest.resolve()
    if dest.exists() and any(dest.iterdir()) and not (dest / ".git").exists():
        die(f"{dest} exists and is not a handout repository")
    dest.mkdir(parents=True, exist_ok=True)
    if not (dest / ".git").exists():
        git("init", "-q", cwd=dest)
    identity = ["-c", "user.name=ExoLab handout", "-c", "user.email=handout@exolab.invalid"]

    previous = None
    for lab in labs:
        branch = f"lab{lab}"
        exists = subprocess.run(["git", "rev-parse", "--verify", "-q", branch],
                                cwd=dest, capture_output=True).returncode == 0
        if exists:
            git("checkout", "-q", "-f", branch, cwd=dest)
        elif previous is not None:
            git("checkout", "-q", "-f", "-b", branch, previous, cwd=dest)
        else:
            git("checkout", "-q", "--orphan", branch, cwd=dest)
        # Replace the work tree with this lab's files.
        for entry in dest.iterdir():
            if entry.name != ".git":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        with tempfile.TemporaryDirectory() as tmp:
            write_lab_tree(lab, files_for_lab(lab, tracked, instructor, by_lab), Path(tmp))
            for entry in Path(tmp).iterdir():
                shutil.move(str(entry), dest / entry.name)
        check_clean(dest, lab)
        git("add", "-A", cwd=dest)
        if git("status", "--porcelain", cwd=dest).strip():
            git(*identity, "commit", "-q", "-m", f"Lab {lab} handout", cwd=dest)
            print(f"handout: {branch}: committed")
        else:
            print(f"handout: {branch}: unchanged")
        previous = branch
    print(f"handout: wrote {dest} (branches: {', '.join('lab%d' % n for n in labs)})")


if __name__ == "__main__":
    main()
