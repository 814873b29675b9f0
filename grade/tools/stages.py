#!/usr/bin/env python3
"""The project's own test suite (`make test`).

1. The default configuration builds from scratch without warnings, and
   the grader's unit tests (grade/tests, with a fake QEMU) pass.
2. Every stage of every lab N:
     LAB=N SOL=N     labs 1..N grade full marks;
     LAB=N SOL=N-1   labs 1..N-1 still full, lab N fails, and each of its
                     failures is quick and says what is missing.
3. The student handout (make handout): every branch builds, has no
   solution code or staging markers, and its own `make grade` runs; the
   lab 1 branch grades exactly like LAB=1 SOL=0.

Prints one line per check and closes with "test: N passed, N failed".
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Grading a lab whose solution is missing must end fast: a stub never
# hangs the grader (a hung test would take its whole timeout).
SLOW_STAGE_SECONDS = 60.0


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

    def handout(self, labs, reference):
        dest = self.workdir / "handout"
        shutil.rmtree(dest, ignore_errors=True)
        proc = self.make("handout", f"DEST={dest}")
        if not self.check("make handout writes the student repository",
                          proc.returncode == 0, proc.stdout + proc.stderr):
            return
        instructor_only = ["grade/tests", "grade/handout.py", "grade/stages.py", ".ci"]
        for lab in labs:
            checkout = self.workdir / f"handout-lab{lab}"
            shutil.rmtree(checkout, ignore_errors=True)
            clone = subprocess.run(["git", "clone", "-q", "-b", f"lab{lab}", str(dest),
                                    str(checkout)], capture_output=True, text=True)
            if not self.check(f"handout branch lab{lab} exists", clone.returncode == 0,
                              clone.stderr):
                continue
            leaked = [p for p in instructor_only if (checkout / p).exists()]
            later = [f"lab{n}" for n in range(lab + 1, 10) if (checkout / f"lab{n}").exists()]
            markers = subprocess.run(
                ["grep", "-rnE", r"^\s*#\s*(if|elif).*\b(SOL|LAB)\b", "kernel", "lib", "user"],
                cwd=checkout, capture_output=True, text=True).stdout
            self.check(f"handout lab{lab}: no instructor files, later labs or staging markers",
                       not leaked and not later and not markers,
                       f"instructor files: {leaked}\nlater labs: {later}\n{markers}")
            proc, results = self.grade(lab, 0, range(1, lab + 1), cwd=checkout,
                                       objdir=checkout / "obj")
            ok = results is not None and "Score:" in proc.stdout
            detail = proc.stdout[-3000:] + proc.stderr[-2000:]
            if ok and lab == 1 and reference is not None:
                mine = {n: t["status"] for n, t in results.items()}
                ref = {n: t["status"] for n, t in reference.items()}
                if mine != ref:
                    ok = False
                    detail = f"handout: {mine}\nLAB=1 SOL=0: {ref}"
            self.check(f"handout lab{lab}: builds and its make grade runs"
                       + (" (same results as LAB=1 SOL=0)" if lab == 1 else ""),
                       ok, detail)


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
    reference = None
    for lab in labs:
        suite.stage_full(lab)
        results = suite.stage_missing(lab)
        if lab == 1:
            reference = results
    suite.handout(labs, reference)

    print(f"({time.monotonic() - started:.0f}s)")
    print(f"test: {suite.passed} passed, {suite.failed} failed")
    return 1 if suite.failed else 0


if __name__ == "__main__":
    sys.exit(main())
