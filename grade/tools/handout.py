#!/usr/bin/env python3
"""Write the course repository that students clone: one branch per lab.

    python3 grade/tools/handout.py DEST [--labs 1 2 ...]

DEST becomes a bare git repository (what an instructor publishes); a
student runs `git clone DEST work` and is on branch lab1, with `origin`
pointing at the course repository.  Branch labN holds lab N's starting
point: the tree run through unifdef with LAB=N and SOL=0, so that code
for later labs and every solution (`#if SOL >= K`) is gone and only the
`#else` stubs remain, with no marker lines and no blank-line runs left
where a block was removed.  Files listed for later labs or for the
course staff in grade/tools/handout-files.txt are left out, and so is
everything between "instructor-only {" and "} instructor-only" lines
(and any line ending in "instructor-only") in the other text files.
README.md is replaced by a student README written for that branch, and
every {{line FILE: TEXT}} in a handout or doc becomes the number of the first
line of FILE, as that branch has it, that contains TEXT (whitespace
squashed); {{line+1 FILE: TEXT}} the line after it, and so on.

Branch labN is created on top of lab(N-1), so students merge each new
lab into their work.  Run it again later (say, to release lab 3) and it
adds commits only where a branch's content changed, so clones that
students already have stay valid.
"""
import argparse
import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "grade" / "tools" / "handout-files.txt"
# Files unifdef processes: C, assembly, headers, linker scripts.
PREPROCESSED = (".c", ".h", ".S", ".ld")
# Text files that may hold instructor-only blocks.
TEXT = (".md", "Makefrag", "GNUmakefile")
IDENTITY = ["-c", "user.name=ExoLab handout", "-c", "user.email=handout@exolab.invalid"]

# Words that mark course-staff material: none may appear in a student
# branch (grade/tools/stages.py checks every branch for them).
INSTRUCTOR_WORDS = [
    r"make test\b", r"make handout", r"handout\.py", r"handout-files", r"stages\.py",
    r"bench\.py", r"grade/tools", r"reference solution", r"\bSOL\b", r"LAB=\d",
    r"instructor-only", r"unifdef", r"#\s*if\s+LAB", r"\{\{line ",
]


def die(message):
    print("handout: " + message, file=sys.stderr)
    sys.exit(1)


def git(*args, cwd, env=None):
    result = subprocess.run(["git", *args], cwd=cwd, text=True, capture_output=True,
                            env=dict(os.environ, **(env or {})))
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


def tracked_files():
    files = git("ls-files", "-z", cwd=ROOT).split("\0")
    return [f for f in files if f and (ROOT / f).is_file()]


def files_for_lab(lab, tracked=None):
    instructor, by_lab = read_manifest()
    tracked = tracked_files() if tracked is None else tracked
    later = [p for n, pats in by_lab.items() if n > lab for p in pats]
    return [f for f in tracked
            if not matches(f, instructor) and not matches(f, later)]


def collapse_blank_runs(text):
    """One blank line where unifdef left several (a removed block
    between two blank lines).  The sources have no runs of their own."""
    return re.sub(r"\n(?:[ \t]*\n){2,}", "\n\n", text)


def strip_instructor_blocks(text, path):
    """text without its instructor-only lines and blocks; where a block
    sat between two blank lines, one of them goes too."""
    out, skipping, removed = [], False, False
    for line in text.splitlines(keepends=True):
        if re.match(r"\s*(#|<!--)\s*instructor-only \{\s*(-->)?\s*$", line):
            if skipping:
                die(f"{path}: nested instructor-only block")
            skipping = True
        elif re.match(r"\s*(#|<!--)\s*\} instructor-only\s*(-->)?\s*$", line):
            if not skipping:
                die(f"{path}: '}} instructor-only' without its start")
            skipping, removed = False, True
        elif skipping or re.search(r"(#|<!--)\s*instructor-only\s*(-->)?\s*$", line):
            removed = True
        else:
            if removed and not line.strip() and (not out or not out[-1].strip()):
                continue
            removed = False
            out.append(line)
    if skipping:
        die(f"{path}: instructor-only block never ends")
    return "".join(out)


def preprocess(src, lab, sol):
    """src as a student holds it in lab `lab` with labs 1..sol solved."""
    proc = subprocess.run(["unifdef", "-x2", f"-DLAB={lab}", f"-DSOL={sol}", str(src)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        die(f"unifdef failed on {src}:\n{proc.stderr}")
    return collapse_blank_runs(proc.stdout)


def write_lab_tree(lab, files, dest):
    """Copies `files` into dest as lab `lab`'s handout has them."""
    for path in files:
        src, out = ROOT / path, dest / path
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.endswith(PREPROCESSED):
            out.write_text(preprocess(src, lab, 0))
        elif path == "GNUmakefile":
            text = src.read_text()
            text = re.sub(r"(?m)^LAB \?= \d+$", f"LAB ?= {lab}", text)
            out.write_text(strip_instructor_blocks(text, path))
        elif path.endswith(TEXT) and not path.startswith("lab"):
            out.write_text(strip_instructor_blocks(src.read_text(), path))
        else:
            shutil.copy2(src, out)


def fill_placeholders(tree, lab):
    """{{line FILE: TEXT}} in the handouts -> the line number of TEXT in
    FILE as this branch has it, so that every file:line a handout
    cites is true of the branch it ships in."""
    def squash(s):
        return " ".join(s.split())

    for readme in sorted([*tree.glob("lab*/README.md"), *tree.glob("docs/*.md")]):
        text = readme.read_text()

        def line_of(m):
            offset, path, needle = int(m.group(1) or 0), m.group(2), squash(m.group(3))
            target = tree / path
            if not target.is_file():
                die(f"lab {lab}: {readme.relative_to(tree)} cites {path}, "
                    f"which this branch does not have")
            for number, line in enumerate(target.read_text().splitlines(), 1):
                if needle in squash(line):
                    return str(number + offset)
            die(f"lab {lab}: {readme.relative_to(tree)}: no line of {path} "
                f"contains {needle!r}")

        readme.write_text(re.sub(r"\{\{line([+-]\d+)? ([^:}]+): ([^}]+)\}\}", line_of, text))


LAB_TOPICS = {
    1: "the PC's boot, the boot loader, kernel entry, console printf, the monitor's stack backtrace",
    2: "the physical page allocator, page tables, the kernel address space",
    3: "user environments, ELF loading, traps and exceptions, system calls, user pointer checks",
    4: "SMP, locking, round-robin and timer preemption, exofork and page system calls, "
       "user page-fault upcalls, copy-on-write fork in user space, IPC",
    5: "a user-space file server, its client library, spawn, shared file descriptors, "
       "the shell with pipes",
}


def student_readme(lab, tree):
    """The README.md of branch lab<lab>: what the labs are, setting up,
    the targets this branch has, and how the next lab arrives."""
    rows = []
    for n in sorted(LAB_TOPICS):
        here = (tree / f"lab{n}" / "README.md").exists()
        name = f"[{n}](lab{n}/README.md)" if here else f"{n}"
        rows.append(f"| {name} | {LAB_TOPICS[n]}{'' if here else ' (to come)'} |")
    targets = [
        ("`make`", "build the boot disk image `obj/kernel.img`"),
        ("`make qemu` / `make qemu-nox`", "boot it with a VGA window / in the terminal (Ctrl-a x quits)"),
        ("`make qemu-gdb` / `make qemu-nox-gdb`", "the same, stopped until gdb connects"),
        ("`make gdb`", "gdb connected to QEMU with the kernel's symbols"),
        ("`make iso` / `make qemu-grub[-nox]`", "a GRUB-bootable CD image (Multiboot) / boot it"),
    ]
    if (tree / "user").is_dir():
        targets.append(("`make run-NAME[-nox][-gdb]`", "boot with `user/NAME.c` as the first program"))
    targets += [
        ("`make grade`", f"grade labs 1 to {lab}; `make grade-lab{lab}` grades one lab"),
        ("`make compile_commands.json`", "compile commands for clangd and other editors"),
        ("`make print-qemu`, `make print-gdbport`", "the QEMU binary, the gdb port"),
        ("`make help`", "all of the above"),
    ]
    variables = "`CPUS=n`, `MEM=MiB`, "
    if (tree / "user").is_dir():
        variables += ("`RUN='prog[,prog...]'` or `RUN='prog*N'` (user programs to "
                      "run, for any `qemu` target), ")
    variables += ("`CMDLINE='...'` (more of the kernel command line, e.g. "
                  "`memmap=off`), `QEMUEXTRA='...'` (extra QEMU options, e.g. "
                  "`-d int,cpu_reset`), `CC=clang`, `TOOLPREFIX=i386-elf-`, "
                  "`GRADEFLAGS=-n2` (grade in parallel), `V=1` (show full commands).")
    docs = [p for p in ("setup", "architecture", "gdb", "grading", "robustness")
            if (tree / "docs" / f"{p}.md").exists()]
    titles = {"setup": "installing the tools on Debian/Ubuntu, Fedora, macOS",
              "architecture": "how ExoLab is built, the boot sequence, the memory layout",
              "gdb": "debugging the kernel with gdb and QEMU",
              "grading": "the grader: running it, reading its messages",
              "robustness": "the system call fuzzer that lab 3's grader runs"}
    lines = [
        "# ExoLab",
        "",
        "ExoLab is a teaching exokernel for the 32-bit PC, and this repository",
        "is your copy of its labs.  Lab by lab you write the parts of the",
        "kernel marked `LAB N: Your code here`, boot it in QEMU, step through",
        "it with gdb, and check your work with the grader.",
        "",
        f"You are on branch `lab{lab}`.  Start with its handout,",
        f"[lab{lab}/README.md](lab{lab}/README.md).",
        "",
        "## The labs",
        "",
        "| lab | what you write |",
        "|---|---|",
        *rows,
        "",
        "Each lab arrives as a branch `labN` of the course repository (your",
        "`origin`).  You merge it into your own work, so each lab builds on",
        "your solutions to the ones before; the lab's handout, under",
        "\"Getting started\", gives the exact commands.  Answers to a handout's",
        "questions go in `answers-labN.txt` at the top of the repository.",
        "",
        "## Setting up (Debian 12 / Ubuntu 24.04)",
        "",
        "Install the tools, once:",
        "",
        "    sudo apt install build-essential gcc-multilib gdb qemu-system-x86 python3 python3-pytest python3-pytest-xdist grub-pc-bin grub-common xorriso mtools",
        "",
        "Then boot the kernel with its console in your terminal (Ctrl-a x quits QEMU)",
        "and grade it:",
        "",
        "    make qemu-nox",
        "    make grade",
        "",
        "Other systems (Fedora, macOS, WSL): see [docs/setup.md](docs/setup.md).",
        "",
        "## Make targets",
        "",
        "| target | what it does |",
        "|---|---|",
        *[f"| {t} | {d} |" for t, d in targets],
        "",
        "Variables: " + variables,
        "",
        "## Documentation",
        "",
        *[f"- [docs/{p}.md](docs/{p}.md): {titles[p]}" for p in docs],
        "",
    ]
    return "\n".join(lines)


def check_clean(tree, lab):
    """No solution or staging markers may reach students."""
    for path in tree.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        if path.suffix not in (".c", ".h", ".S", ".ld"):
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if re.match(r"\s*#\s*(if|elif).*\b(SOL|LAB)\b", line):
                die(f"lab {lab}: {path.relative_to(tree)}:{number} still has "
                    f"a staging marker: {line.strip()}")


def make_tree(lab, dest, tracked=None, sol=0):
    """Writes branch lab<lab>'s files into the directory dest; with
    sol > 0, as a student has them after solving labs 1..sol (the
    handouts unchanged: their citations are of the branch as handed
    out)."""
    files = files_for_lab(lab, tracked)
    write_lab_tree(lab, files, dest)
    (dest / "README.md").write_text(student_readme(lab, dest))
    fill_placeholders(dest, lab)
    check_clean(dest, lab)
    if sol > 0:
        for path in files:
            if path.endswith(PREPROCESSED):
                (dest / path).write_text(preprocess(ROOT / path, lab, sol))


def rev(repo, name):
    proc = subprocess.run(["git", "rev-parse", "--verify", "-q", name], cwd=repo,
                          capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def commit_tree(repo, tree_dir, parent, message):
    """A commit in the bare repository `repo` holding tree_dir's files,
    or None if they are the same as parent's."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index"), "GIT_WORK_TREE": str(tree_dir),
               "GIT_DIR": str(repo)}
        git("add", "-A", ".", cwd=tree_dir, env=env)
        tree = git("write-tree", cwd=tree_dir, env=env).strip()
    if parent and rev(repo, parent + "^{tree}") == tree:
        return None
    args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
    return git(*IDENTITY, *args, cwd=repo).strip()


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
    tracked = tracked_files()
    dest = args.dest.resolve()
    if dest.exists() and any(dest.iterdir()) and not (dest / "HEAD").is_file():
        die(f"{dest} exists and is not a course repository (a bare git repository)")
    if not dest.exists() or not any(dest.iterdir()):
        dest.mkdir(parents=True, exist_ok=True)
        git("init", "-q", "--bare", cwd=dest)

    previous = None
    for lab in labs:
        branch = f"refs/heads/lab{lab}"
        tip = rev(dest, branch)
        with tempfile.TemporaryDirectory() as tmp:
            make_tree(lab, Path(tmp), tracked)
            commit = commit_tree(dest, Path(tmp), tip or previous, f"Lab {lab} handout")
        if commit is None and tip is None:
            # Same files as the previous lab: still a branch of its own.
            commit = rev(dest, previous)
        if commit is None:
            print(f"handout: lab{lab}: unchanged")
        else:
            git("update-ref", branch, commit, cwd=dest)
            print(f"handout: lab{lab}: committed")
        previous = branch
    # A clone starts on the first lab.
    first = min(int(ref[len("refs/heads/lab"):]) for ref in git(
        "for-each-ref", "--format=%(refname)", "refs/heads/lab*", cwd=dest).split())
    git("symbolic-ref", "HEAD", f"refs/heads/lab{first}", cwd=dest)
    print(f"handout: wrote {dest} (branches: {', '.join('lab%d' % n for n in labs)}); "
          f"students run: git clone {shlex.quote(str(dest))} exolab")


if __name__ == "__main__":
    main()
