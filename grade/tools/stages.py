#!/usr/bin/env python3
"""The project's own test suite (`make test`).

1. kernel/ stays under KERNEL_MAX_LINES lines of code by cloc; the
   default configuration builds from scratch without warnings, and the
   grader's unit tests (grade/tests, with a fake QEMU) pass.  Every
   Python file is Python 3.10 code (grade/tools/pycompat.py: Ubuntu
   22.04, the Gradescope image, has 3.10); with a Python 3.10 that has
   pytest (EXOLAB_PY310, or python3.10 on PATH), a short grading runs
   under it too.
2. Every stage of every lab N:
     LAB=N SOL=N     labs 1..N grade full marks;
     LAB=N SOL=N-1   labs 1..N-1 still full, lab N fails, and each of its
                     failures is quick and says what is missing.
3. Trusted grading (make autograde): the manifest of files it takes
   from a submission covers every stub; each cheat of grade/tools/cheats
   (a patch or a script applied to a fresh handout of its lab) scores 0
   on the tests it targets, and the reference solution full.
4. The course repository (make handout), written to a path with a
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
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import autograde  # noqa: E402  (grade/tools/autograde.py)
import handout  # noqa: E402  (grade/tools/handout.py)
import pycompat  # noqa: E402  (grade/tools/pycompat.py)

ROOT = Path(__file__).resolve().parents[2]
# Grading a lab whose solution is missing must end fast: a stub never
# hangs the grader (a hung test would take its whole timeout).
# A failing test must fail within SLOW_TEST_SECONDS (a stub never hangs the
# grader: a hung test would take its whole timeout); the stage as a whole
# gets a generous bound, since it grows with the number of tests.
SLOW_TEST_SECONDS = 15.0
SLOW_STAGE_SECONDS = 300.0
# True once the tree has been formatted with .clang-format (in one
# commit, after every branch is merged): then make test fails on any C
# file clang-format would change (grade/tools/check-format).
CHECK_FORMAT = True
# The product rule: kernel/ (boot loader excluded) stays under this many
# lines of code, as cloc counts them (all languages, headers included),
# through lab 5.  What can live in lib/ or user/ lives there, and so do
# the test code the kernel links in (labN/) and the build's own tools
# (tools/).
KERNEL_MAX_LINES = 5000
# The repository's fixed top level (dotfiles aside).
TOP_LEVEL = {"lab1", "lab2", "lab3", "lab4", "lab5", "kernel", "lib", "user",
             "grade", "docs", "GNUmakefile", "README.md"}


class Suite:
    def __init__(self, workdir: Path, jobs: int):
        self.workdir = workdir
        self.jobs = jobs
        self.passed = 0
        # What `make grade` printed at LAB=N SOL=N, by lab: the handouts'
        # sample score lines are checked against it.
        self.full_output = {}
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

    def python310(self, objdir):
        """The grader and its tooling are Python 3.10 code: every file
        parses as 3.10 and names nothing of 3.11+ (pycompat, always);
        then, if a Python 3.10 with pytest is to be had, pycompat under
        its own parser and a short grading under it (run.py with
        pytest-xdist, the gdb stub, user mode, the file system), or a
        skip that says none was found."""
        files = pycompat.python_files()
        found = [line for path in files
                 for line in pycompat.problems(path.read_text(encoding="utf-8"), str(path))]
        self.check(f"{len(files)} Python files are Python 3.10 (ast feature_version "
                   f"(3, 10), no 3.11+ names: grade/tools/pycompat.py)",
                   not found, "\n".join(found))
        python = python310()
        if python is None and os.environ.get("EXOLAB_PY310"):
            self.check("a grading under Python 3.10", False,
                       f"EXOLAB_PY310={os.environ['EXOLAB_PY310']} is not a Python 3.10 "
                       f"that can import pytest")
            return
        if python is None:
            self.skip("a grading under Python 3.10", "no Python 3.10 with pytest found: "
                      "set EXOLAB_PY310=/path/to/python3.10 (Ubuntu 22.04: /usr/bin/python3)")
            return
        proc = subprocess.run([python, str(ROOT / "grade" / "tools" / "pycompat.py")],
                              cwd=ROOT, capture_output=True, text=True)
        self.check(f"pycompat under {python} ({python_version(python)})",
                   proc.returncode == 0, proc.stdout + proc.stderr)
        keyword = ("backtrace_arguments or printf_octal or hello or divzero or "
                   "hostile_stack_pointers or spawn_hello or testfile")
        proc = subprocess.run(
            [python, str(ROOT / "grade" / "run.py"), "-n2", "-k", keyword,
             "lab1", "lab3", "lab5"], cwd=ROOT, capture_output=True, text=True,
            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1", EXOLAB_OBJDIR=str(objdir),
                     EXOLAB_LAB="5", EXOLAB_SOL="5"))
        score = re.search(r"Score: (\d+)/(\d+)", proc.stdout)
        self.check(f"a grading under Python 3.10 ({score.group(0) if score else 'no score'}: "
                   f"labs 1, 3 and 5, -k {keyword!r})",
                   proc.returncode == 0 and score is not None and
                   score.group(1) == score.group(2) != "0",
                   proc.stdout[-3000:] + proc.stderr[-2000:])

    def check_format(self):
        proc = subprocess.run(["sh", str(ROOT / "grade" / "tools" / "check-format")],
                              cwd=ROOT, capture_output=True, text=True)
        self.check("the C sources follow .clang-format (make check-format)",
                   proc.returncode == 0, proc.stdout + proc.stderr)

    def kernel_size(self):
        """kernel/ (without kernel/boot) has fewer than KERNEL_MAX_LINES
        lines of code by cloc.  Without cloc it says so (skip)."""
        if shutil.which("cloc") is None:
            self.skip("kernel/ size", "cloc is not installed; .ci/run installs it")
            return
        proc = subprocess.run(["cloc", "--quiet", "--json", "kernel",
                               "--exclude-dir=boot"],
                              cwd=ROOT, capture_output=True, text=True)
        try:
            code = json.loads(proc.stdout)["SUM"]["code"]
        except (ValueError, KeyError):
            self.check("kernel/ size (cloc)", False, proc.stdout + proc.stderr)
            return
        self.check(f"kernel/ is {code} lines of code (cloc), under the "
                   f"{KERNEL_MAX_LINES}-line budget",
                   code < KERNEL_MAX_LINES,
                   f"kernel/ has {code} lines of code by `cloc kernel "
                   f"--exclude-dir=boot`: cut it below {KERNEL_MAX_LINES} "
                   f"(move what is not the kernel out; condense what repeats)")

    def top_level_layout(self):
        """The repository's top level is the product's fixed layout: the
        five labs, kernel, lib, user, grade, docs, GNUmakefile and
        README.md, plus dotfiles.  A helper directory there would ship
        to every student and break the layout the handouts describe."""
        tops = {path.split("/")[0] for path in git(ROOT, "ls-files").splitlines()}
        extra = sorted(top for top in tops - TOP_LEVEL if not top.startswith("."))
        self.check("the top level holds only the fixed layout",
                   not extra, "not part of the layout: " + ", ".join(extra))

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
        self.full_output[lab] = proc.stdout
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
        for test, seconds in re.findall(r"(?m)^(lab\d+ \S+): FAIL \((\d+\.\d)s\)$",
                                        proc.stdout):
            if float(seconds) > SLOW_TEST_SECONDS:
                problems.append(f"{test} took {seconds}s to fail: is a stub hanging "
                                f"until the test's timeout?")
        if elapsed > SLOW_STAGE_SECONDS:
            problems.append(f"building and grading took {elapsed:.0f}s: "
                            f"is a stub hanging until its timeout?")
        self.check(f"{name} ({len(failed)}/{len(lab_tests)} fail, {elapsed:.0f}s)",
                   not problems, "\n".join(problems))
        return results

    # -- 3. trusted grading and the cheat corpus ----------------------------

    def manifest(self, lab: int):
        """The files autograde takes from a submission cover every stub
        of the lab's handout, and are all files of that handout."""
        files = set(handout.files_for_lab(lab))
        manifest = set(autograde.student_files(lab))
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp)
            handout.make_tree(lab, tree)
            # The stubs of labs 1..lab (a later lab's file may ship early).
            stubs = {str(p.relative_to(tree)) for p in tree.rglob("*")
                     if p.is_file() and p.suffix in (".c", ".h", ".S")
                     and any(int(k) <= lab for k in re.findall(
                         r"LAB (\d+): Your code here", p.read_text(errors="replace")))}
        self.check(f"autograde lab {lab}: the manifest ({len(manifest)} files) holds every "
                   f"stub of the handout and nothing outside it",
                   stubs <= manifest and manifest <= files,
                   f"stubs outside the manifest: {sorted(stubs - manifest)}\n"
                   f"manifest files not in the handout: {sorted(manifest - files)}")

    def student_repo(self, lab: int, dest: Path, sol: int = 0):
        """A student's git repository: lab <lab>'s handout (labs 1..sol
        solved), committed."""
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        handout.make_tree(lab, dest, sol=sol)
        git(dest, "init", "-q")
        git(dest, "add", "-A")
        git(dest, "-c", "user.name=A Student", "-c", "user.email=s@exolab.invalid",
            "commit", "-q", "-m", f"lab {lab}")
        return dest

    def cheats(self, labs):
        """Each cheat of grade/tools/cheats, applied to a fresh handout
        of its lab, scores 0 on the tests it targets under make
        autograde; the reference solution scores full on them."""
        cheats = []
        for path in sorted((ROOT / "grade" / "tools" / "cheats").glob("*")):
            if path.suffix not in (".patch", ".sh"):
                continue
            header = dict(re.findall(r"(?m)^#? ?(Cheat|Lab|Targets|Needs|Builds): (.*)$",
                                     path.read_text()))
            if "Needs" in header and not shutil.which(header["Needs"]):
                self.check(f"cheat {path.name}: skipped, {header['Needs']} is not "
                           f"installed (sudo apt install bubblewrap)", True)
                continue
            if not {"Cheat", "Lab", "Targets"} <= set(header):
                self.check(f"cheat {path.name}: names its lab and targets", False,
                           "it needs 'Cheat:', 'Lab:' and 'Targets:' lines")
                continue
            lab = int(header["Lab"])
            if lab in labs:
                cheats.append((path, lab, header["Targets"].split(),
                               not header.get("Builds", "yes").startswith("no")))
        base = self.workdir / "cheats"
        for lab in sorted({c[1] for c in cheats}):
            # One make autograde per lab, every cheat and the reference
            # in it, two at a time: the handout tree is written once.
            mine = [c for c in cheats if c[1] == lab]
            targets = sorted({t for _, _, ts, _ in mine for t in ts})
            reference = self.student_repo(lab, base / f"reference-lab{lab}", sol=lab)
            trees = [reference]
            for path, _, _, _ in mine:
                tree = self.student_repo(lab, base / path.stem)
                if path.suffix == ".patch":
                    proc = subprocess.run(["git", "apply", str(path)], cwd=tree,
                                          capture_output=True, text=True)
                else:
                    proc = subprocess.run(["sh", str(path)], cwd=tree, capture_output=True,
                                          text=True, env=dict(os.environ,
                                                              REFERENCE=str(reference),
                                                              INSTRUCTOR=str(ROOT)))
                if not self.check(f"cheat {path.name} applies to lab {lab}'s handout",
                                  proc.returncode == 0, proc.stdout + proc.stderr):
                    continue
                git(tree, "add", "-A")
                git(tree, "-c", "user.name=A Student", "-c", "user.email=s@exolab.invalid",
                    "commit", "-q", "-m", "cheat")
                trees.append(tree)
            out = self.workdir / "autograde" / f"cheats-lab{lab}"
            shutil.rmtree(out, ignore_errors=True)
            proc = self.make(f"LAB={lab}", "autograde",
                             "SUBMISSION=" + " ".join(str(t) for t in trees), f"OUT={out}",
                             f"AUTOGRADEFLAGS=-j{self.jobs} -n1 --no-iso "
                             f"-k '{' or '.join(targets)}'")

            def results(tree):
                path = out / tree.name / "results.json"
                if not path.exists():
                    return None
                return {t["name"]: t for t in json.loads(path.read_text())["tests"]}

            problems = self.target_problems(results(reference), lab, targets, proc, "passed")
            self.check(f"autograde lab {lab}: the reference scores full on the cheats' "
                       f"targets ({len(targets)} tests)", not problems, "\n".join(problems))
            for path, _, targets, builds in mine:
                if base / path.stem not in trees:
                    continue
                problems = self.target_problems(results(base / path.stem), lab, targets,
                                                proc, "failed")
                # A cheat that does not compile proves nothing about the
                # tests (unless not building is what stops it: Builds: no).
                graded = results(base / path.stem) or {}
                if builds and any(t["output"].startswith("the submission does not build")
                                  for t in graded.values()):
                    problems.append("the cheat does not build, so it tests nothing: "
                                    + next(iter(graded.values()))["output"][-1500:])
                self.check(f"cheat {path.name}: 0 points on its targets "
                           f"({' '.join(targets)})", not problems, "\n".join(problems))

    def gradescope(self, lab: int):
        """make gradescope's bundle, unpacked into a simulated /autograder
        (AUTOGRADER_ROOT), grades the reference solution: results.json
        has Gradescope's fields and types, full marks, and the private
        tests, hidden until published."""
        root = self.workdir / "gradescope-root"
        shutil.rmtree(root, ignore_errors=True)
        (root / "source").mkdir(parents=True)
        proc = self.make(f"LAB={lab}", "gradescope")
        bundle = ROOT / "obj" / "gradescope" / f"lab{lab}.zip"
        if not self.check(f"make gradescope LAB={lab} writes {bundle.relative_to(ROOT)}",
                          proc.returncode == 0 and bundle.exists(), proc.stdout + proc.stderr):
            return
        with zipfile.ZipFile(bundle) as zf:
            names = zf.namelist()
            zf.extractall(root / "source")
        for name in ("setup.sh", "run_autograder"):
            (root / "source" / name).chmod(0o755)
        leaked = [n for n in names if n.startswith("tree/") and
                  handout.matches(n[5:], [p for p in INSTRUCTOR_FILES if p != "grade/private/"])]
        self.student_repo(lab, root / "submission", sol=lab)
        shutil.rmtree(root / "submission" / ".git")
        proc = subprocess.run([str(root / "source" / "run_autograder")], capture_output=True,
                              text=True, env=dict(os.environ, AUTOGRADER_ROOT=str(root),
                                                  EXOLAB_AUTOGRADE_FLAGS="-k printf --no-iso"))
        problems = [f"instructor files in the bundle: {leaked}"] if leaked else []
        problems += ["no solution may be in the bundle: " + n for n in names
                     if n.endswith((".c", ".h", ".S")) and re.search(
                         r"#\s*(el)?if.*\bSOL\b",
                         zipfile.ZipFile(bundle).read(n).decode(errors="replace"))]
        results = root / "results" / "results.json"
        if not results.exists():
            problems.append("no results.json:\n" + proc.stdout[-2000:] + proc.stderr[-2000:])
        else:
            problems += gradescope_problems(json.loads(results.read_text()))
        self.check(f"the Gradescope bundle of lab {lab} grades a simulated /autograder "
                   f"(results.json's fields and types, private tests hidden)",
                   not problems, "\n".join(problems))

    def batch(self, lab: int):
        """make autograde on several submissions at once (-j2), twice
        each (REPEAT=2): the reference (a git repository) and a .tar.gz
        that does not build; grades.csv, summary.html (self-contained)
        and no flaky test."""
        base = self.workdir / "batch"
        shutil.rmtree(base, ignore_errors=True)
        reference = self.student_repo(lab, base / "reference", sol=lab)
        broken = base / "broken"
        shutil.copytree(reference, broken / "exolab", ignore=shutil.ignore_patterns(".git"))
        with open(broken / "exolab" / "lib" / "printfmt.c", "a") as f:
            f.write("\nint this_does_not_build = ;\n")
        subprocess.run(["tar", "czf", str(base / "broken.tar.gz"), "-C", str(broken), "exolab"],
                       check=True)
        out = base / "out"
        proc = self.make(f"LAB={lab}", "autograde", f"SUBMISSION={reference} {base}/broken.tar.gz",
                         f"OUT={out}", "REPEAT=2",
                         "AUTOGRADEFLAGS=-j2 -n1 --no-iso -k printf_octal")
        problems = []
        try:
            rows = list(csv.DictReader(open(out / "grades.csv")))
            page = (out / "summary.html").read_text()
            flaky = (out / "flaky.txt").read_text()
        except OSError as e:
            rows, page, flaky = [], "", ""
            problems.append(f"{e}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        scores = sorted((r["submission"], r["total"], r["max"]) for r in rows)
        if len(rows) != 4 or [s[1] for s in scores] != ["0", "0", "20", "20"]:
            problems.append(f"grades.csv: {scores}")
        if any("does not build" not in r["failure"] for r in rows if r["submission"] == "broken"):
            problems.append("grades.csv gives no failure reason for the broken submission")
        if "<svg" not in page or "<script" in page or "http" in page.replace(
                'xmlns="http://www.w3.org/2000/svg"', ""):
            problems.append("summary.html is not a self-contained page with inline SVG")
        if flaky.strip():
            problems.append("flaky tests:\n" + flaky)
        self.check("make autograde batch: 2 submissions x REPEAT=2 in parallel, grades.csv, "
                   "summary.html, no flaky test", not problems, "\n".join(problems))

    @staticmethod
    def target_problems(results, lab, targets, proc, wanted):
        if results is None:
            return ["make autograde wrote no results:", proc.stdout[-2000:] + proc.stderr[-2000:]]
        problems = []
        for target in targets:
            test = results.get(f"lab{lab} {target}")
            if test is None:
                problems.append(f"no test lab{lab} {target} was graded")
            elif wanted == "passed" and test["score"] != test["max_score"]:
                problems.append(f"lab{lab} {target}: {test['score']}/{test['max_score']}: "
                                f"{test['output']}")
            elif wanted == "failed" and (test["score"] != 0 or test["max_score"] == 0):
                problems.append(f"lab{lab} {target} scored {test['score']}/{test['max_score']}")
        return problems

    # -- 4. handout ---------------------------------------------------------

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
                for m in re.finditer(r"((?:kernel|lib|user|lab\d)/[\w/]+\.[chS]):(\d+)", line):
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
                problems += self.sample_scores(readme, text, lab)
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

    def sample_scores(self, readme, text, lab):
        """The part totals and the full score a handout shows under "How
        you are graded" are what `make grade` of the solved lab prints."""
        printed = self.full_output.get(lab, "")
        section = re.search(r"(?ms)^## How you are graded$(.*?)(?=^## |\Z)", text)
        if not printed or not section:
            return [] if printed else [f"{readme}: no solved run to check its scores against"]
        parts = dict(re.findall(r"(?m)^\s*(lab\d+ part \w+): (\d+/\d+)", printed))
        shown = re.findall(r"(?m)^\s+(lab\d+ part \w+): (\d+/\d+)", section.group(1))
        problems = []
        for name, value in shown:
            if parts.get(name) != value:
                problems.append(f"{readme} shows '{name}: {value}'; make grade prints "
                                f"{parts.get(name, 'no such part')}")
        # The sample's labs show all their parts, and its total is theirs.
        labs = {name.split()[0] for name, _ in shown}
        for name in parts:
            if name.split()[0] in labs and name not in dict(shown):
                problems.append(f"{readme}'s sample score leaves out '{name}'")
        total = sum(int(v.split("/")[1]) for n, v in parts.items() if n.split()[0] in labs)
        for value in re.findall(r"(?m)^\s+Score: (\d+/\d+)", section.group(1)):
            if value != f"{total}/{total}":
                problems.append(f"{readme} shows 'Score: {value}'; its labs' parts "
                                f"add up to {total}/{total}")
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
INSTRUCTOR_FILES = [".ci/", "grade/tests/", "grade/tools/", "grade/private/",
                    "docs/performance.md", "docs/robustness.md", "docs/autograding.md"]


def gradescope_problems(data):
    """What is wrong with a Gradescope results.json for a full-marks
    submission graded with its private tests."""
    problems = []
    kinds = {"score": (int, float), "execution_time": (int, float), "output": str,
             "tests": list, "visibility": str, "stdout_visibility": str}
    for key, kind in kinds.items():
        if not isinstance(data.get(key), kind):
            problems.append(f"results.json: {key} is {data.get(key)!r}")
    visibilities = {"hidden", "after_due_date", "after_published", "visible"}
    for test in data.get("tests", []):
        for key, kind in {"name": str, "score": (int, float), "max_score": (int, float),
                          "output": str, "visibility": str, "status": str}.items():
            if not isinstance(test.get(key), kind):
                problems.append(f"test {test.get('name')}: {key} is {test.get(key)!r}")
        if test.get("visibility") not in visibilities or \
                test.get("status") not in ("passed", "failed"):
            problems.append(f"test {test.get('name')}: {test}")
        if test.get("score") != test.get("max_score"):
            problems.append(f"test {test.get('name')} did not pass: {test.get('output')}")
    private = [t for t in data.get("tests", []) if "private" in t.get("name", "")]
    if not private or any(t["visibility"] != "after_published" for t in private):
        problems.append(f"no private test hidden until published: {private}")
    if sum(t.get("score", 0) for t in data.get("tests", [])) != data.get("score"):
        problems.append("the score is not the sum of the tests' scores")
    return problems


def python310():
    """A Python 3.10 interpreter that has pytest: $EXOLAB_PY310, this
    one if it is 3.10, or python3.10 on PATH; None if there is none."""
    candidates = [os.environ.get("EXOLAB_PY310"), sys.executable,
                  shutil.which("python3.10"), "/usr/bin/python3.10"]
    for python in filter(None, candidates):
        try:
            proc = subprocess.run([python, "-c", "import sys, pytest; "
                                   "sys.exit(sys.version_info[:2] != (3, 10))"],
                                  capture_output=True)
        except OSError:
            continue
        if proc.returncode == 0:
            return python
    return None


def python_version(python):
    """'Python X.Y.Z pytest A.B.C' of an interpreter, for the log."""
    proc = subprocess.run([python, "-c", "import sys, pytest; print('Python', "
                           "sys.version.split()[0], 'pytest', pytest.__version__)"],
                          capture_output=True, text=True)
    return proc.stdout.strip()


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


def children(pid):
    """The process ids whose parent is pid (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The field after the command (which may hold spaces), then ppid.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def stop_on_signal(signum, frame):
    """SIGTERM or SIGHUP: passes SIGTERM to what this suite is running
    (make, which passes it to its recipes: grade/run.py stops its tests
    and their QEMUs), then ends.  (SIGINT from a terminal reaches them
    all already: they share the foreground process group.)"""
    for pid in children(os.getpid()):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    print(f"test: interrupted (signal {signum})", flush=True)
    os._exit(128 + signum)


def main():
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop_on_signal)
    parser = argparse.ArgumentParser(description="ExoLab's own test suite.")
    parser.add_argument("--labs", default="1", help="labs to check, e.g. '1 2 3'")
    parser.add_argument("--workdir", default=str(ROOT / "obj" / "test"))
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    labs = [int(n) for n in args.labs.replace("lab", "").split()]

    suite = Suite(Path(args.workdir), min(args.jobs, 4))
    suite.workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    suite.top_level_layout()
    suite.kernel_size()
    objdir = suite.default_build()
    suite.unit_tests(objdir)
    suite.python310(objdir)
    if CHECK_FORMAT:
        suite.check_format()
    missing = {}
    for lab in labs:
        suite.stage_full(lab)
        missing[lab] = suite.stage_missing(lab)
        suite.manifest(lab)
    suite.cheats(labs)
    suite.gradescope(1)
    suite.batch(1)
    suite.handout(labs, missing)

    print(f"({time.monotonic() - started:.0f}s)")
    print(f"test: {suite.passed} passed, {suite.failed} failed")
    return 1 if suite.failed else 0


if __name__ == "__main__":
    sys.exit(main())
