#!/usr/bin/env python3
"""The project's own test suite (`make test`).

1. The default configuration builds from scratch without warnings, and
   the grader's unit tests (grade/tests, with a fake QEMU) pass.
2. Every stage of every lab N:
     LAB=N SOL=N     labs 1..N grade full marks;
     LAB=N SOL=N-1   labs 1..N-1 still full, lab N fails, and each of its
                     failures is quick and says what is missing.
3. The course repository (make handout), written to a path with a
   space and a non-ASCII letter in it: every branch holds nothing for
   the course staff only (files, words, make targets), no later lab and
   no staging marker, and its handouts' claims hold (file:line
   citations, sample output lines, the starting score).  Then a student's path through it:
   clone (on lab1, with origin), grade lab 1 as cloned (as LAB=1 SOL=0
   does), and for each lab N: do it (the reference solution of its
   files), commit, run lab N+1's merge commands exactly as its handout
   prints them, and check that the merge has no conflict, holds labs
   1..N solved plus lab N+1's handout, and grades as LAB=N+1 SOL=N.

Prints one line per check and closes with "test: N passed, N failed".
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import handout  # noqa: E402  (grade/tools/handout.py)

ROOT = Path(__file__).resolve().parents[2]
# Grading a lab whose solution is missing must end fast: a stub never
# hangs the grader (a hung test would take its whole timeout).
SLOW_STAGE_SECONDS = 60.0
# True once the tree has been formatted with .clang-format (in one
# commit, after every branch is merged): then make test fails on any C
# file clang-format would change (grade/tools/check-format).
CHECK_FORMAT = False


class Suite:
    def __init__(self, workdir: Path, jobs: int):
        self.workdir = workdir
        self.jobs = jobs
        self.passed = 0
        self.failed = 0

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok    {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL  {name}", flush=True)
            for line in detail.rstrip().splitlines():
                print("      " + line, flush=True)
        return ok

    def skip(self, name: str, why: str) -> None:
        """A check that cannot run yet (neither passed nor failed)."""
        print(f"skip  {name} ({why})", flush=True)

    def make(self, *args, cwd=ROOT):
        cmd = ["make", "--no-print-directory", f"-j{self.jobs}", *args]
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)

    # -- 1. unit tests ------------------------------------------------------

    def default_build(self):
        """The complete reference system builds from scratch without a
        single compiler or linker warning."""
        objdir = self.workdir / "default"
        shutil.rmtree(objdir, ignore_errors=True)
        proc = self.make(f"OBJDIR={objdir}", "all")
        output = proc.stdout + proc.stderr
        warnings = [l for l in output.splitlines() if "warning" in l.lower()]
        self.check("default build (LAB=5 SOL=5) from scratch, no warnings",
                   proc.returncode == 0 and not warnings,
                   "\n".join(warnings) or output[-3000:])
        return objdir

    def unit_tests(self, objdir):
        # Some unit tests compare against a built kernel's symbols.
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "grade/tests"], cwd=ROOT, capture_output=True, text=True,
            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
                     EXOLAB_OBJDIR=str(objdir)))
        summary = proc.stdout.strip().splitlines()[-1:] or ["(no output)"]
        m = re.search(r"(\d+) passed", summary[0])
        self.check(f"grader unit tests ({summary[0]})",
                   proc.returncode == 0 and m is not None,
                   proc.stdout[-3000:] + proc.stderr[-2000:])

    def check_format(self):
        proc = subprocess.run(["sh", str(ROOT / "grade" / "tools" / "check-format")],
                              cwd=ROOT, capture_output=True, text=True)
        self.check("the C sources follow .clang-format (make check-format)",
                   proc.returncode == 0, proc.stdout + proc.stderr)

    # -- 2. stages ----------------------------------------------------------

    def grade(self, lab: int, sol: int, labs, cwd=ROOT, objdir=None):
        """Builds LAB=lab SOL=sol and grades `labs`; returns (process,
        results by test name) or (process, None) if it did not run."""
        tag = f"lab{lab}-sol{sol}"
        objdir = objdir or self.workdir / tag
        results_file = self.workdir / f"{tag}.json"
        if results_file.exists():
            results_file.unlink()
        proc = self.make(f"LAB={lab}", f"SOL={sol}", f"OBJDIR={objdir}",
                         "grade", f"GRADEFLAGS=-n{self.jobs} --json {results_file}",
                         cwd=cwd)
        if not results_file.exists():
            return proc, None
        data = json.loads(results_file.read_text())
        return proc, {t["name"]: t for t in data["tests"]}

    def stage_full(self, lab: int):
        proc, results = self.grade(lab, lab, range(1, lab + 1))
        failed = [n for n, t in (results or {}).items() if t["status"] != "passed"]
        self.check(f"LAB={lab} SOL={lab}: labs 1-{lab} grade full marks",
                   proc.returncode == 0 and results and not failed,
                   (f"failed: {failed}\n" if failed else "") + proc.stdout[-3000:]
                   + proc.stderr[-2000:])

    def stage_missing(self, lab: int):
        start = time.monotonic()
        proc, results = self.grade(lab, lab - 1, range(1, lab + 1))
        elapsed = time.monotonic() - start
        name = f"LAB={lab} SOL={lab - 1}: only lab {lab}'s tests fail, quickly and clearly"
        if results is None:
            self.check(name, False, "the grader did not run:\n" + proc.stdout[-3000:]
                       + proc.stderr[-2000:])
            return None
        problems = []
        failed = {n: t for n, t in results.items() if t["status"] != "passed"}
        for n, t in failed.items():
            if not n.startswith(f"lab{lab} "):
                problems.append(f"{n} failed, but it belongs to an earlier lab")
            elif not t["output"].strip():
                problems.append(f"{n} failed without saying why")
        lab_tests = [n for n in results if n.startswith(f"lab{lab} ")]
        if not failed:
            problems.append(f"every lab {lab} test passed without lab {lab}'s solution")
        # make reports the grader's failing exit status as its own 2.
        if proc.returncode == 0:
            problems.append("make grade exited 0 without full marks")
        if elapsed > SLOW_STAGE_SECONDS:
            problems.append(f"building and grading took {elapsed:.0f}s: "
                            f"is a stub hanging until its timeout?")
        self.check(f"{name} ({len(failed)}/{len(lab_tests)} fail, {elapsed:.0f}s)",
                   not problems, "\n".join(problems))
        return results

    # -- 3. handout ---------------------------------------------------------

    def handout(self, labs, missing):
        """The course repository as students meet it, in a directory
        whose path has a space and a non-ASCII letter (a home directory
        like "OS Course", "OneDrive - Université")."""
        base = self.workdir / "student path é"
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        course = base / "course"
        proc = self.make("handout", f"DEST={course}")
        if not self.check("make handout writes the course repository (path with a space)",
                          proc.returncode == 0, proc.stdout + proc.stderr):
            return
        branches = [lab for lab in labs if rev(course, f"lab{lab}")]
        self.check("the course repository has a branch per lab",
                   branches == labs, f"labs {labs}, branches {branches}")
        for lab in branches:
            self.branch_content(course, lab, missing.get(lab))
        self.student_path(course, base / "exolab", branches, missing)

    def branch_content(self, course, lab, fresh):
        """What branch lab<lab> holds: nothing for the course staff only,
        no later lab, no staging, and handout claims that hold."""
        branch = f"lab{lab}"
        files = git(course, "ls-tree", "-r", "--name-only", branch).split("\n")
        leaked = [f for f in files if f and handout.matches(f, INSTRUCTOR_FILES)]
        later = sorted({f.split("/")[0] for f in files
                        if re.match(r"lab(\d+)/", f) and int(f[3:].split("/")[0]) > lab})
        markers = git(course, "grep", "-nE", r"^\s*#\s*(if|elif).*\b(SOL|LAB)\b",
                      branch, "--", "kernel", "lib", "user", ok=(0, 1))
        words = git(course, "grep", "-nIE", "|".join(handout.INSTRUCTOR_WORDS), branch,
                    ok=(0, 1))
        targets = git(course, "grep", "-nE", r"^(test|handout|check-format|bench)\s*:",
                      branch, "--", "GNUmakefile", "*Makefrag", ok=(0, 1))
        self.check(f"handout {branch}: no course-staff files, words or targets, "
                   f"no later labs, no staging markers",
                   not (leaked or later or markers or words or targets),
                   f"course-staff files: {leaked}\nlater labs: {later}\n"
                   f"{markers}{words}{targets}")
        problems = self.claims(course, lab, fresh)
        self.check(f"handout {branch}: its handouts' claims hold in the branch",
                   not problems, "\n".join(problems))
        stubs = git(course, "grep", "-l", "Your code here", branch, "--", "kernel", "lib",
                    "user", ok=(0, 1)).split()
        problems = []
        for ref in stubs:
            path = ref.split(":", 1)[1]
            problems += missing_contracts(git(course, "show", ref), path)
        self.check(f"handout {branch}: every stub has its contract comment ({len(stubs)} files)",
                   not problems, "\n".join(problems))

    def claims(self, course, lab, fresh):
        """Every checkable claim in branch lab<lab>'s handouts: file:line
        citations point at a line of that kind, and lab <lab>'s starting
        score is the score a fresh lab <lab> gets."""
        branch = f"lab{lab}"
        problems = []

        def source(path):
            return git(course, "show", f"{branch}:{path}", ok=(0, 128)).split("\n")

        docs = [f for f in git(course, "ls-tree", "-r", "--name-only", branch, "--",
                               "docs").split("\n") if f.endswith(".md")]
        for n in [*range(1, lab + 1), *docs]:
            readme = f"lab{n}/README.md" if isinstance(n, int) else n
            text = git(course, "show", f"{branch}:{readme}", ok=(0, 128))
            if n == lab and not text:
                # A lab whose handout is not written yet (its code and
                # tests come first): nothing of it to check, which is
                # said, not passed.
                self.skip(f"handout {branch}: {readme}'s claims",
                          f"{readme} is not written yet")
                continue
            for number, line in enumerate(text.split("\n"), 1):
                for m in re.finditer(r"((?:kernel|lib|user)/[\w/]+\.[chS]):(\d+)", line):
                    lines = source(m.group(1))
                    if lines == [""] and not isinstance(n, int):
                        continue    # a doc citing a later lab's file
                    cited = int(m.group(2))
                    target = lines[cited - 1].strip() if 0 < cited <= len(lines) else ""
                    where = f"{readme}:{number} cites {m.group(1)}:{cited}"
                    if not target or target.startswith(("/*", "*", "//")):
                        problems.append(f"{where}, which is {target or 'no line'!r}")
                    elif "kernel panic at " + m.group(0) in line \
                            and not re.search(r"\b(panic|assert|check)\w*\(", target):
                        problems.append(f"{where} as a panic, but it says {target!r}")
            if n == lab:
                problems += self.sample_lines(readme, text, lab)
            if n == lab and fresh is not None:
                # The starting score, stated under "Getting started".
                start = re.search(r"(?ms)^## Getting started$(.*?)^## ", text)
                claimed = re.findall(r"Score: (\d+)/(\d+)", start.group(1) if start else "")
                earned = sum(t["score"] for t in fresh.values())
                possible = sum(t["max_score"] for t in fresh.values())
                if len(claimed) != 1:
                    problems.append(f"{readme} should state a fresh lab {n}'s score once "
                                    f"under 'Getting started', as `Score: N/M`; it has {claimed}")
                elif tuple(map(int, claimed[0])) != (earned, possible):
                    problems.append(f"{readme} says a fresh lab {n} scores "
                                    f"{'/'.join(claimed[0])}; it scores {earned}/{possible} "
                                    f"(make LAB={n} SOL={n - 1} grade)")
        return problems

    def sample_lines(self, readme, text, lab):
        """The kernel's lines a handout shows as sample output (indented
        lines with these beginnings) must be lines a real run of lab
        `lab`, solved or not, printed (the stage runs' logs)."""
        printed = set()
        for sol in (lab, lab - 1):
            for log in (self.workdir / f"lab{lab}-sol{sol}" / "grade").glob("*.log"):
                printed.update(log.read_text(errors="replace").split("\n"))
        if not printed:
            return [f"{readme}: no logs of LAB={lab} runs to check its sample output against"]
        return [f"{readme}:{number}: no run printed the sample line {line.strip()!r}"
                for number, line in enumerate(text.split("\n"), 1)
                if line.startswith("    ") and line[4:].startswith(SAMPLE_PREFIXES)
                and line[4:] not in printed]

    def grade_clone(self, clone, name):
        """make grade in a student's clone, as the student runs it."""
        results_file = self.workdir / f"{name}.json"
        if results_file.exists():
            results_file.unlink()
        proc = self.make("grade", f"GRADEFLAGS=-n{self.jobs} --json {results_file}", cwd=clone)
        if not results_file.exists():
            return proc, None
        data = json.loads(results_file.read_text())
        return proc, {t["name"]: t for t in data["tests"]}

    def same_results(self, proc, mine, reference, label):
        if mine is None:
            return False, "the grader did not run:\n" + proc.stdout[-3000:] + proc.stderr[-2000:]
        mine = {n: t["status"] for n, t in mine.items()}
        ref = {n: t["status"] for n, t in (reference or {}).items()}
        if reference is not None and mine != ref:
            diff = [f"{n}: {mine.get(n)} here, {ref.get(n)} in {label}"
                    for n in sorted(set(mine) | set(ref)) if mine.get(n) != ref.get(n)]
            return False, "\n".join(diff)
        return True, ""

    def student_path(self, course, work, labs, missing):
        """Plays a student through every lab: clone, do lab N (the
        reference solution of lab N's files), commit, then run lab N+1's
        merge commands exactly as its handout prints them."""
        shutil.rmtree(work, ignore_errors=True)
        clone = subprocess.run(["git", "clone", "-q", str(course), str(work)],
                               capture_output=True, text=True)
        head = git(work, "rev-parse", "--abbrev-ref", "HEAD", ok=(0, 128)).strip()
        remotes = git(work, "remote", ok=(0, 128)).split()
        if not self.check("git clone of the course repository: on lab1, with origin",
                          clone.returncode == 0 and head == "lab1" and remotes == ["origin"],
                          f"{clone.stderr}branch {head!r}, remotes {remotes}"):
            return
        git(work, "config", "user.name", "A Student")
        git(work, "config", "user.email", "student@exolab.invalid")

        proc, results = self.grade_clone(work, "student-lab1")
        ok, detail = self.same_results(proc, results, missing.get(1), "LAB=1 SOL=0")
        self.check("student lab1, as cloned: builds and grades in a path with a space "
                   "(same results as LAB=1 SOL=0)", ok, detail)

        for lab in labs:
            # Do lab N: its files as the reference solution has them.
            with tempfile.TemporaryDirectory() as tmp:
                solved = Path(tmp)
                handout.make_tree(lab, solved, sol=lab)
                changed = [f for f in git(work, "ls-files", "-z").split("\0") if f
                           and (solved / f).is_file()
                           and (solved / f).read_bytes() != (work / f).read_bytes()]
                for f in changed:
                    shutil.copyfile(solved / f, work / f)
            (work / f"answers-lab{lab}.txt").write_text(f"My answers to lab {lab}.\n")
            git(work, "add", "-A")
            git(work, "commit", "-q", "-m", f"My lab {lab}")
            after = lab + 1
            if after not in labs or not self.next_lab(course, work, lab, after,
                                                      missing.get(after)):
                break

    def next_lab(self, course, work, lab, after, reference):
        readme = git(course, "show", f"lab{after}:lab{after}/README.md", ok=(0, 128))
        commands = merge_commands(readme)
        name = f"student lab{lab} -> lab{after}"
        if not readme:
            self.skip(f"{name}: merge, merged tree and grade",
                      f"lab{after}/README.md, which gives the merge commands, "
                      f"is not written yet")
            return False
        if not self.check(f"{name}: lab{after}/README.md shows its merge commands",
                          bool(commands), "no code block under a heading "
                          f"'Merging lab {after} into your work'"):
            return False
        log = []
        for command in commands:
            proc = subprocess.run(["bash", "-c", command], cwd=work, capture_output=True,
                                  text=True, env=dict(os.environ, GIT_EDITOR="true",
                                                      GIT_MERGE_AUTOEDIT="no"))
            log.append(f"$ {command}\n{proc.stdout}{proc.stderr}")
            if proc.returncode != 0:
                break
        conflicts = git(work, "diff", "--name-only", "--diff-filter=U")
        status = git(work, "status", "--porcelain")
        head = git(work, "rev-parse", "--abbrev-ref", "HEAD").strip()
        if not self.check(f"{name}: the handout's commands run as printed, "
                          f"merge without conflicts",
                          proc.returncode == 0 and not conflicts and not status
                          and head == f"lab{after}",
                          "".join(log) + f"\nconflicts: {conflicts}\nstatus: {status}"
                          f"\nbranch: {head}"):
            return False
        # The merge holds exactly labs 1..N solved and lab N+1 fresh.
        with tempfile.TemporaryDirectory() as tmp:
            expected = Path(tmp)
            handout.make_tree(after, expected, sol=lab)
            mine = set(f for f in git(work, "ls-files", "-z").split("\0") if f)
            mine.discard(f"answers-lab{lab}.txt")
            mine -= {f"answers-lab{n}.txt" for n in range(1, after)}
            theirs = set(str(p.relative_to(expected)) for p in expected.rglob("*")
                         if p.is_file())
            differ = sorted(f for f in mine & theirs
                            if (work / f).read_bytes() != (expected / f).read_bytes())
        self.check(f"{name}: the merged tree is labs 1-{lab} solved plus lab {after}'s handout",
                   mine == theirs and not differ,
                   f"only in the merge: {sorted(mine - theirs)}\n"
                   f"only in the handout: {sorted(theirs - mine)}\ndiffer: {differ}")
        proc, results = self.grade_clone(work, f"student-lab{after}")
        ok, detail = self.same_results(proc, results, reference, f"LAB={after} SOL={lab}")
        if ok:
            bad = [n for n, t in results.items() if t["status"] != "passed"
                   and not n.startswith(f"lab{after} ")]
            ok, detail = not bad, f"earlier labs' tests fail: {bad}"
        self.check(f"{name}: labs 1-{lab} grade full, lab {after} fails only its own tests",
                   ok, detail)
        return True


# Sample output in a handout that make test finds in a real run's log.
SAMPLE_PREFIXES = ("Physical memory: ", "Booted by ", "check_", "[0000", "hello, world",
                   "i am environment", "No runnable environments", "6828 decimal",
                   "printf: ")
INSTRUCTOR_FILES = [".ci/", "grade/tests/", "grade/tools/", "docs/performance.md",
                    "docs/robustness.md"]


def git(repo, *args, ok=(0,)):
    """git's output in repo (a work tree or a bare repository)."""
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if proc.returncode not in ok:
        raise RuntimeError(f"git {' '.join(args)} in {repo}: {proc.stderr}")
    return proc.stdout


def rev(repo, name):
    return git(repo, "rev-parse", "--verify", "-q", name, ok=(0, 1)).strip()


def missing_contracts(text, path):
    """The student stubs ("LAB N: Your code here") in a source file that
    lack the contract comment a student reads: in C, a comment right
    above the enclosing function's definition; elsewhere (assembly, file
    scope), a comment just before the marker."""
    lines = text.split("\n")
    problems = []
    for i, line in enumerate(lines):
        if not re.search(r"LAB \d+: Your code here", line):
            continue
        start = None
        if path.endswith(".c"):
            # The enclosing function: the last definition line above
            # (name at the start of the line, return type on the line
            # before), with no closing brace at column 0 in between.
            for j in range(i - 1, -1, -1):
                if lines[j].startswith("}"):
                    break
                if re.match(r"[A-Za-z_]\w*\(", lines[j]):
                    start = j - 1 if j > 0 and lines[j - 1].strip() else j
                    break
        above = (start if start is not None else i) - 1
        while above >= 0 and start is None and not lines[above].strip():
            above -= 1
        # Or the marker's own comment states the contract (one case of
        # a long function, say): more text than the marker itself.
        top = i
        while top > 0 and "/*" not in lines[top]:
            top -= 1
        bottom = i
        while bottom < len(lines) - 1 and "*/" not in lines[bottom]:
            bottom += 1
        told = [l for l in lines[top:bottom + 1]
                if re.sub(r"/\*|\*/|\*|LAB \d+: Your code here \(exercise \d+\)\.?", "",
                          l).strip()]
        if told and "/*" in lines[top] and top <= i:
            continue
        if above < 0 or not lines[above].rstrip().endswith("*/"):
            what = (f"the function at line {start + 1}" if start is not None
                    else "the stub")
            problems.append(f"{path}:{i + 1}: {what} has no contract comment above it")
    return problems


def merge_commands(readme):
    """The commands of the first code block under the heading
    "Merging lab N into your work", as printed."""
    lines = readme.split("\n")
    start = next((i for i, l in enumerate(lines)
                  if re.match(r"#+ Merging lab \d+ into your work", l)), None)
    if start is None:
        return []
    commands, inside = [], False
    for line in lines[start + 1:]:
        if line.startswith("#"):
            break
        if line.startswith("    "):
            inside = True
            commands.append(line[4:])
        elif inside and line.strip():
            break
    return [c for c in commands if c.strip()]


def main():
    parser = argparse.ArgumentParser(description="ExoLab's own test suite.")
    parser.add_argument("--labs", default="1", help="labs to check, e.g. '1 2 3'")
    parser.add_argument("--workdir", default=str(ROOT / "obj" / "test"))
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    labs = [int(n) for n in args.labs.replace("lab", "").split()]

    suite = Suite(Path(args.workdir), min(args.jobs, 4))
    suite.workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    suite.unit_tests(suite.default_build())
    if CHECK_FORMAT:
        suite.check_format()
    missing = {}
    for lab in labs:
        suite.stage_full(lab)
        missing[lab] = suite.stage_missing(lab)
    suite.handout(labs, missing)

    print(f"({time.monotonic() - started:.0f}s)")
    print(f"test: {suite.passed} passed, {suite.failed} failed")
    return 1 if suite.failed else 0


if __name__ == "__main__":
    sys.exit(main())
