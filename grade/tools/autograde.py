#!/usr/bin/env python3
"""Grade student submissions against the instructor's tree (`make autograde`).

    python3 grade/tools/autograde.py --lab N --out DIR [-k EXPR] [-n J] SUBMISSION...

A submission is a git repository (its HEAD commit is graded), a git
bundle, a .tar.gz/.tgz/.tar or a .zip of a student's repository, or a
plain directory holding its files.  From it we take only the files a
student is meant to change for labs 1..N (the manifest: see
student_files); every other file comes from the pristine lab N tree,
written afresh by handout.py's own code.  Nothing prebuilt is taken:
the kernel is built from scratch in DIR/work, then the grader of the
trusted tree runs with a clean environment, so that nothing of the
submission can be imported or read as configuration.

DIR/results.json has Gradescope's schema; DIR/log.txt has the build's
and the grader's output.  A submission that does not build scores 0 with
its compiler errors in both.  With several submissions, each is graded
into DIR/NAME (NAME: the submission's file name without its suffix).
"""
import argparse
import concurrent.futures
import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from pathlib import Path, PurePosixPath

# In the instructor's tree, handout.py writes the pristine lab tree; a
# Gradescope bundle carries that tree ready-made (--tree), without
# handout.py and without the solutions.
sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import handout  # noqa: E402  (grade/tools/handout.py)
except ImportError:
    handout = None

ROOT = Path(__file__).resolve().parents[2]
# A student's source file is small; anything bigger is not one.
MAX_FILE_BYTES = 1 << 20
BUILD_SECONDS = 300
GRADE_SECONDS = 900
# Lines of the build's output kept in results.json when it fails.
BUILD_TAIL = 60
# `#if SOL >= k`, `#elif SOL < k`...: code a student writes in lab k.
SOL_MARKER = re.compile(r"^\s*#\s*(?:el)?if\b.*\bSOL\s*(?:>=|<|>|<=|==)\s*(\d+)", re.M)


def die(message):
    print("autograde: " + message, file=sys.stderr)
    sys.exit(2)


# -- the manifest ---------------------------------------------------------

def add_private_tests(lab, tree):
    """Copies the instructor's private tests, grade/private/labK/test_*.py
    for K <= lab (never handed out), into the lab directories of tree."""
    for k in range(1, lab + 1):
        for test in sorted((ROOT / "grade" / "private" / f"lab{k}").glob("test_*.py")):
            if (tree / f"lab{k}").is_dir():
                shutil.copyfile(test, tree / f"lab{k}" / test.name)


def private_names(tree):
    """The tests of private files (test_private*.py) are hidden from
    students until the grades are published."""
    return {p.stem for p in tree.glob("lab*/test_private*.py")}


def student_files(lab, tracked=None):
    """The files a student is meant to change for labs 1..lab: those of
    lab <lab>'s handout that hold a staging block (`#if SOL >= k`, or a
    `#if SOL < k` for a stub that a later lab replaces) for some lab
    k <= <lab>.  Every stub ("Your code here") sits in such a block, and
    make test checks that this list covers them all."""
    files = handout.files_for_lab(lab, tracked)
    result = []
    for path in files:
        if not path.endswith(handout.PREPROCESSED):
            continue
        text = (ROOT / path).read_text(errors="replace")
        labs = {int(k) for k in SOL_MARKER.findall(text)}
        # `#if SOL < k` is the stub of lab k-1's code that lab k replaces.
        if any(k <= lab for k in labs):
            result.append(path)
    return sorted(result)


# -- reading a submission ---------------------------------------------------

class Submission:
    """The manifest's files as one submission has them."""

    def __init__(self, path: Path, wanted):
        self.path = path
        self.wanted = list(wanted)
        self.files = {}         # path -> bytes
        self.notes = []         # what the student should know

    def read(self):
        p = self.path
        if p.is_dir():
            if (p / ".git").exists():
                self._from_git(p)
            else:
                self._from_directory(p)
        elif p.name.endswith(".bundle") or _is_bundle(p):
            with tempfile.TemporaryDirectory() as tmp:
                repo = Path(tmp) / "repo"
                proc = subprocess.run(
                    ["git", "-c", "core.hooksPath=/dev/null", "clone", "-q", "--bare",
                     str(p), str(repo)], capture_output=True, text=True)
                if proc.returncode != 0:
                    raise SubmissionError(f"not a usable git bundle: {proc.stderr.strip()}")
                self._from_git(repo, bare=True)
        elif tarfile.is_tarfile(p):
            self._from_tar(p)
        elif zipfile.is_zipfile(p):
            self._from_zip(p)
        elif not p.exists():
            raise SubmissionError(f"{p} does not exist")
        else:
            raise SubmissionError(f"{p} is neither a directory, a git bundle, "
                                  f"a tar archive nor a zip file")
        missing = [f for f in self.wanted if f not in self.files]
        if missing:
            self.notes.append("not in the submission (the handout's version is used): "
                              + " ".join(missing))
        return self

    def _take(self, path, data):
        if len(data) > MAX_FILE_BYTES:
            self.notes.append(f"{path} is larger than {MAX_FILE_BYTES} bytes: ignored")
            return
        self.files[path] = data

    def _from_directory(self, root):
        base = _find_root([str(f.relative_to(root)) for f in root.rglob("GNUmakefile")]
                          + [str(f.relative_to(root)) for f in root.glob("*/kernel")]
                          + [str(f.relative_to(root)) for f in root.glob("kernel")])
        for path in self.wanted:
            f = root / base / path
            # A symbolic link could point at anything on the grading host.
            if f.is_symlink():
                self.notes.append(f"{path} is a symbolic link: ignored")
            elif f.is_file():
                with open(f, "rb") as stream:
                    self._take(path, stream.read(MAX_FILE_BYTES + 1))

    def _from_git(self, repo, bare=False):
        # A repository someone else owns (a student's, copied as is) is
        # one git refuses to read ("dubious ownership") unless a global
        # or system config marks it safe, and -c does not count on every
        # git (Ubuntu 22.04's 2.34): so a global config of our own,
        # which also leaves the instructor's ~/.gitconfig out.  Reading
        # is safe: hooks are off and nothing runs from the repository.
        with tempfile.TemporaryDirectory(prefix="exolab-git-") as tmp:
            config = Path(tmp) / "gitconfig"
            config.write_text("[safe]\n\tdirectory = *\n")
            env = dict(os.environ, GIT_CONFIG_GLOBAL=str(config))
            self._read_git(repo, bare, env)

    def _read_git(self, repo, bare, env):
        def git(*args):
            return subprocess.run(["git", "-c", "core.hooksPath=/dev/null", *args],
                                  cwd=repo, capture_output=True, env=env)
        commit = None
        for ref in ("HEAD", "refs/heads/main", "refs/heads/master"):
            proc = git("rev-parse", "--verify", "-q", ref + "^{commit}")
            if proc.returncode == 0:
                commit = proc.stdout.decode().strip()
                break
        if commit is None:
            heads = git("for-each-ref", "--format=%(objectname)", "refs/heads").stdout.split()
            if len(heads) != 1:
                raise SubmissionError("the repository has no HEAD and not exactly one branch")
            commit = heads[0].decode()
        self.notes.append(f"graded commit {commit}")
        listing = git("ls-tree", "-r", "-z", commit, "--", *self.wanted).stdout.decode()
        for entry in filter(None, listing.split("\0")):
            meta, path = entry.split("\t", 1)
            mode, kind, obj = meta.split()
            if kind != "blob" or mode not in ("100644", "100755"):
                self.notes.append(f"{path} is not a regular file in the commit: ignored")
                continue
            size = int(git("cat-file", "-s", obj).stdout or 0)
            if size > MAX_FILE_BYTES:
                self.notes.append(f"{path} is larger than {MAX_FILE_BYTES} bytes: ignored")
                continue
            self._take(path, git("cat-file", "blob", obj).stdout)
        if not bare:
            dirty = git("status", "--porcelain", "--", *self.wanted).stdout.decode().strip()
            if dirty:
                self.notes.append("uncommitted changes are not graded:\n" + dirty)

    def _from_tar(self, path):
        with tarfile.open(path) as tar:
            self._from_archive(
                tar.getmembers(), lambda m: m.name,
                lambda m: None if m.isreg() else "is not a regular file in the archive",
                lambda m: tar.extractfile(m).read(MAX_FILE_BYTES + 1))

    def _from_zip(self, path):
        with zipfile.ZipFile(path) as zf:
            def problem(info):
                if info.is_dir():
                    return "is a directory in the archive"
                # A symbolic link in a zip: Unix mode S_IFLNK in the high bits.
                if (info.external_attr >> 16) & 0o170000 == 0o120000:
                    return "is a symbolic link"
                return None

            def read(info):
                with zf.open(info) as stream:
                    return stream.read(MAX_FILE_BYTES + 1)

            self._from_archive(zf.infolist(), lambda i: i.filename, problem, read)

    def _from_archive(self, members, name, problem, read):
        """Takes the wanted files from an archive's members, below the
        directory that holds the tree: name(m) is a member's path,
        problem(m) why it cannot be taken (None if it can), read(m) its
        first MAX_FILE_BYTES + 1 bytes (_take refuses a larger file)."""
        base = _find_root([name(m) for m in members])
        by_name = {_norm(name(m)): m for m in members}
        for want in self.wanted:
            m = by_name.get(_norm(base + want))
            if m is None:
                continue
            why = problem(m)
            if why:
                self.notes.append(f"{want} {why}: ignored")
                continue
            self._take(want, read(m))


class SubmissionError(Exception):
    pass


def _norm(name):
    return str(PurePosixPath(name.lstrip("./") or "."))


def _is_bundle(path):
    try:
        with open(path, "rb") as f:
            return f.read(16).startswith((b"# v2 git bundle", b"# v3 git bundle"))
    except OSError:
        return False


def _find_root(names):
    """The directory prefix ("" or "exolab/") under which an archive
    holds the repository: where its GNUmakefile or kernel/ is."""
    best = None
    for name in names:
        parts = PurePosixPath(name.lstrip("./")).parts
        for marker in ("GNUmakefile", "kernel"):
            if marker in parts:
                prefix = parts[:parts.index(marker)]
                if best is None or len(prefix) < len(best):
                    best = prefix
    return "/".join(best) + "/" if best else ""


# -- grading ----------------------------------------------------------------

def clean_env(extra):
    """The environment the build and the grader run in: nothing from
    the caller's Python, make or locale settings that could change what
    is imported or built."""
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "TMPDIR", "USER", "LANG")
            if k in os.environ}
    keep.update(PYTHONDONTWRITEBYTECODE="1", PYTHONNOUSERSITE="1", PYTHONSAFEPATH="1",
                LC_ALL="C.UTF-8")
    keep.update(extra)
    return keep


# Limits on what one submission's build and grading may do.
MAX_OUTPUT = 4 << 20            # bytes of output kept; past it, stopped
MAX_FILE = 1 << 30              # bytes in any one file it writes


def limits():
    """prlimit's prefix for the file-size limit (and no core dumps);
    prlimit rather than preexec_fn, which is unsafe with the threads
    of batch grading."""
    prlimit = shutil.which("prlimit")
    return [prlimit, f"--fsize={MAX_FILE}", "--core=0", "--"] if prlimit else []


_sandbox_ok = None


def sandbox(work: Path):
    """bubblewrap's command prefix that lets a command see the system
    read-only, write only `work`, and reach no network (nor the
    instructor's tree, nor another submission); [] when bubblewrap is
    not installed or cannot run here (a warning says so, once)."""
    global _sandbox_ok
    bwrap = shutil.which("bwrap")
    args = [bwrap or "bwrap", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            # QEMU's snapshot=on keeps its overlay in /var/tmp.
            "--tmpfs", "/var/tmp"]
    for d in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    # A Python outside /usr (a venv, pyenv): visible, read-only.  A
    # venv's prefix holds only its site-packages and a symbolic link to
    # the interpreter of its base prefix, which must be visible too.
    for prefix in sorted({str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix)}):
        if prefix != "/usr" and not prefix.startswith("/usr/"):
            args += ["--ro-bind", prefix, prefix]
    args += ["--bind", str(work), str(work), "--unshare-all", "--die-with-parent",
             "--new-session", "--chdir", str(work), "--setenv", "HOME", str(work)]
    if _sandbox_ok is None:
        _sandbox_ok = bwrap is not None and subprocess.run(
            args + ["true"], capture_output=True).returncode == 0
        if not _sandbox_ok:
            print("autograde: warning: bubblewrap " + ("cannot run here" if bwrap else
                  "is not installed (sudo apt install bubblewrap)") + ": submissions run "
                  "without a sandbox, under the time, output and file-size limits only",
                  file=sys.stderr)
    return args if _sandbox_ok else []


def run(cmd, cwd, env, timeout, log, sandboxed=True):
    """Runs cmd (in the sandbox), appending its output to the log, at
    most MAX_OUTPUT bytes of it; returns (status, output).  A command
    that runs too long or prints too much is stopped, its whole process
    group with it."""
    if sandboxed:
        cmd = sandbox(Path(cwd)) + cmd
    cmd = limits() + cmd
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    chunks, size, why = [], 0, None

    def stop(reason):
        nonlocal why
        why = reason
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, stop, [f"stopped after {timeout}s"])
    timer.start()
    try:
        while True:
            chunk = proc.stdout.read1(65536)
            if not chunk:
                break
            if size < MAX_OUTPUT:
                chunks.append(chunk[:MAX_OUTPUT - size])
            size += len(chunk)
            if size > MAX_OUTPUT and why is None:
                stop(f"stopped: more than {MAX_OUTPUT} bytes of output")
        status = proc.wait()
    finally:
        timer.cancel()
    text = b"".join(chunks).decode(errors="replace")
    if why:
        text += f"\n({why})\n"
        status = -1
    log.write(text)
    log.flush()
    return status, text


class Grader:
    def __init__(self, lab, keyword=None, jobs=1, python=sys.executable,
                 build_jobs=2, iso=True, tree=None, manifest=None):
        self.iso = iso and _have_grub()
        self.lab = lab
        self.keyword = keyword
        self.jobs = jobs
        self.build_jobs = build_jobs
        self.python = python
        self._pristine = tree
        if manifest is not None:
            self.manifest = manifest
        else:
            self.tracked = handout.tracked_files()
            self.manifest = student_files(lab, self.tracked)

    def pristine(self):
        """The lab's handout tree plus the private tests, written once
        per run (or given ready-made)."""
        if self._pristine is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="exolab-pristine-")
            self._pristine = Path(self._tmp.name) / "tree"
            self._pristine.mkdir()
            handout.make_tree(self.lab, self._pristine, self.tracked)
            add_private_tests(self.lab, self._pristine)
        return self._pristine

    def labs(self, tree):
        return [f"lab{n}" for n in range(1, self.lab + 1)
                if list((tree / f"lab{n}").glob("test_*.py"))]

    def grade(self, submission: Path, out: Path):
        """Grades one submission into out/; returns its results dict."""
        started = time.monotonic()
        out.mkdir(parents=True, exist_ok=True)
        work = out / "work"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(self.pristine(), work, symlinks=True)
        with open(out / "log.txt", "w") as log:
            log.write(f"ExoLab autograder: lab {self.lab}, submission {submission}\n")
            try:
                sub = Submission(submission, self.manifest).read()
            except (SubmissionError, OSError, tarfile.TarError, zipfile.BadZipFile,
                    EOFError) as e:
                log.write(f"the submission could not be read: {e}\n")
                return self._write(out, self._zero(work, log, f"the submission could not "
                                                   f"be read: {e}"), started)
            for path, data in sub.files.items():
                (work / path).write_bytes(data)
            log.write(f"files taken from the submission: {' '.join(sorted(sub.files))}\n")
            for note in sub.notes:
                log.write(note + "\n")
            env = clean_env({"EXOLAB_OBJDIR": str(work / "obj"),
                             "EXOLAB_LAB": str(self.lab)})
            log.write("\n== build ==\n")
            targets = ["all"] + (["iso"] if self.iso else [])
            status, text = run(["make", "--no-print-directory", f"-j{self.build_jobs}",
                                "OBJDIR=obj", *targets], work, env, BUILD_SECONDS, log)
            if status != 0:
                # From just before the first error on: the compiler's own words.
                lines = text.rstrip().splitlines()
                first = next((i for i, l in enumerate(lines)
                              if re.search(r"\berror\b|Error \d", l)), len(lines) - 1)
                tail = "\n".join(lines[max(0, first - 2):][:BUILD_TAIL])
                return self._write(out, self._zero(
                    work, log, "the submission does not build:\n" + tail), started)
            log.write("\n== grade ==\n")
            results = self._run_grader(work, env, log)
            if results is None:
                return self._write(out, self._zero(work, log, "the grader did not finish "
                                                   "(see log.txt)"), started)
            results["output"] = "\n".join(sub.notes)
            return self._write(out, results, started)

    def _run_grader(self, work, env, log, fail_all=None):
        results_file = work / "obj" / "results.json"
        results_file.parent.mkdir(parents=True, exist_ok=True)
        if results_file.exists():
            results_file.unlink()
        cmd = [self.python, str(work / "grade" / "run.py"), f"-n{self.jobs}",
               "--json", str(results_file)]
        if self.keyword:
            cmd += ["-k", self.keyword]
        run(cmd + self.labs(work), work, env, GRADE_SECONDS, log)
        if not results_file.exists():
            return None
        return json.loads(results_file.read_text())

    def _zero(self, work, log, why):
        """Every test at 0 points, with the reason: the grader runs with
        no kernel, so that the test list and points are the real ones."""
        env = clean_env({"EXOLAB_OBJDIR": str(work / "obj-none"),
                         "EXOLAB_LAB": str(self.lab)})
        with open(os.devnull, "w") as sink:
            results = self._run_grader(work, env, sink) or {"tests": []}
        for test in results["tests"]:
            test["score"] = 0
            test["status"] = "failed"
            test["output"] = why.splitlines()[0]
        results["score"] = 0
        results["output"] = why
        log.write(why + "\n")
        return results

    def _write(self, out, results, started):
        results.setdefault("output", "")
        results["execution_time"] = round(time.monotonic() - started, 2)
        results["visibility"] = "visible"
        results["stdout_visibility"] = "visible"
        hidden = private_names(self.pristine())
        for test in results.get("tests", []):
            test.setdefault("visibility", "after_published"
                            if test.get("file") in hidden else "visible")
            test.pop("file", None)
            # The runs' logs are kept in out/logs (below).
            test["output"] = test.get("output", "").replace("full output: obj/grade/",
                                                            "full output: logs/")
        (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        # The logs of each run stay; the build does not.
        logs = out / "work" / "obj" / "grade"
        if logs.is_dir():
            shutil.rmtree(out / "logs", ignore_errors=True)
            shutil.copytree(logs, out / "logs")
        shutil.rmtree(out / "work", ignore_errors=True)
        return results


def _have_grub():
    return any(shutil.which(g) for g in ("grub-mkrescue", "grub2-mkrescue"))


def submission_name(path: Path):
    name = path.name
    for suffix in (".tar.gz", ".tgz", ".tar", ".zip", ".bundle", ".git"):
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="*", type=Path)
    parser.add_argument("--lab", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("-k", dest="keyword", help="only the tests matching EXPR")
    parser.add_argument("-n", dest="jobs", type=int, default=1,
                        help="tests to run at once per submission")
    parser.add_argument("-j", dest="parallel", type=int, default=1,
                        help="submissions to grade at once")
    parser.add_argument("--repeat", type=int, default=1,
                        help="grade each submission this many times; report flaky tests")
    parser.add_argument("--no-iso", action="store_true",
                        help="build no GRUB ISO (its test is then skipped)")
    parser.add_argument("--manifest", action="store_true",
                        help="print the files taken from a submission and exit")
    parser.add_argument("--tree", type=Path,
                        help="the pristine lab tree, ready-made (a Gradescope bundle)")
    parser.add_argument("--manifest-file", type=Path,
                        help="with --tree: the files taken from a submission, one a line")
    args = parser.parse_args()
    if args.tree:
        if not args.manifest_file:
            die("--tree needs --manifest-file")
        grader = Grader(args.lab, args.keyword, args.jobs, iso=not args.no_iso,
                        tree=args.tree.resolve(),
                        manifest=args.manifest_file.read_text().split())
    else:
        if shutil.which("unifdef") is None:
            die("unifdef not found: sudo apt install unifdef")
        if not (ROOT / f"lab{args.lab}").is_dir():
            die(f"there is no lab{args.lab}")
        grader = Grader(args.lab, args.keyword, args.jobs, iso=not args.no_iso)
    if args.manifest:
        print("\n".join(grader.manifest))
        return 0
    if not args.submissions:
        die("no submission given")
    grader.pristine()           # once, before the threads share it
    names = unique_names(args.submissions)
    single = len(args.submissions) == 1 and args.repeat == 1
    jobs = []
    for sub, name in zip(args.submissions, names):
        for run_number in range(args.repeat):
            out = args.out if single else args.out / name
            if args.repeat > 1:
                out = out / f"run{run_number + 1}"
            jobs.append((sub, name, out.resolve()))

    def grade_one(job):
        sub, name, out = job
        started = time.monotonic()
        results = grader.grade(sub.resolve(), out)
        possible = sum(t.get("max_score", 0) for t in results.get("tests", []))
        print(f"{sub}: {results['score']}/{possible}  -> {out / 'results.json'}", flush=True)
        return name, results, time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(max(1, args.parallel)) as pool:
        graded = list(pool.map(grade_one, jobs))
    if not single:
        write_grades_csv(args.out / "grades.csv", graded)
        write_summary_html(args.out / "summary.html", graded, args.lab)
        print(f"autograde: wrote {args.out / 'grades.csv'} and {args.out / 'summary.html'}")
    if args.repeat > 1:
        flaky = flaky_tests(graded)
        lines = [f"{name}: {test}: {' '.join(statuses)}" for name, test, statuses in flaky]
        (args.out / "flaky.txt").write_text("".join(l + "\n" for l in lines))
        print(f"autograde: {len(flaky)} flaky test results in {args.repeat} runs"
              + "".join("\n  " + l for l in lines))
    # Graded, whatever the scores: the exit status is the grader's own.
    return 0


def unique_names(paths):
    """A directory name per submission: its file name without suffix,
    numbered where two are the same."""
    names, seen = [], {}
    for path in paths:
        name = re.sub(r"[^\w.-]", "_", submission_name(Path(path))) or "submission"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return names


def failure_reason(results):
    """Why a submission lost points, in a few words: the build, or the
    first failed test."""
    output = results.get("output", "")
    if output.startswith(("the submission does not build", "the submission could not",
                          "the grader did not")):
        lines = output.splitlines()
        error = next((l for l in lines if re.search(r"\berror\b", l)), "")
        return (lines[0] + " " + error.strip())[:200]
    failed = [t for t in results.get("tests", []) if t["status"] == "failed"]
    if failed:
        return f"{len(failed)} tests failed, first {failed[0]['name']}: " + \
            (failed[0]["output"].splitlines() or [""])[0][:120]
    return ""


def write_grades_csv(path, graded):
    """One row per graded run: points per part and per test, the total,
    the wall time and why points were lost."""
    tests, parts = [], []
    for _, results, _ in graded:
        for t in results.get("tests", []):
            if t["name"] not in tests:
                tests.append(t["name"])
    for name in tests:
        part = name.split(" ")[0]
        if part not in parts:
            parts.append(part)
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["submission", *[f"{p} total" for p in parts], *tests, "total",
                      "max", "seconds", "failure"])
        for name, results, seconds in graded:
            by_test = {t["name"]: t for t in results.get("tests", [])}
            per_part = [sum(t["score"] for n, t in by_test.items() if n.split(" ")[0] == p)
                        for p in parts]
            out.writerow([name, *per_part, *[by_test.get(n, {}).get("score", "") for n in tests],
                          results.get("score", 0),
                          sum(t.get("max_score", 0) for t in by_test.values()),
                          round(seconds, 1), failure_reason(results)])


def _bars(rows, width=560, bar=16, label=260):
    """An inline SVG bar chart: rows of (label, fraction 0..1, text)."""
    height = bar * len(rows) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="11">']
    for i, (name, fraction, text) in enumerate(rows):
        y = i * bar + 2
        length = max(0.0, min(1.0, fraction)) * (width - label - 60)
        parts.append(f'<text x="0" y="{y + 11}">{html.escape(name)}</text>'
                     f'<rect x="{label}" y="{y}" width="{length:.1f}" height="{bar - 4}" '
                     f'fill="#4a7"/><text x="{label + length + 4:.1f}" y="{y + 11}">'
                     f'{html.escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def write_summary_html(path, graded, lab):
    """Per-test pass rates and the score histogram (inline SVG), the
    slowest and the failing submissions: one self-contained page."""
    runs = len(graded)
    tests = {}
    for _, results, _ in graded:
        for t in results.get("tests", []):
            passed, seen = tests.get(t["name"], (0, 0))
            tests[t["name"]] = (passed + (t["status"] == "passed" and t["score"] == t["max_score"]),
                                seen + 1)
    rates = [(n, p / s, f"{p}/{s}") for n, (p, s) in tests.items()]
    scores = [(r.get("score", 0), sum(t.get("max_score", 0) for t in r.get("tests", [])))
              for _, r, _ in graded]
    bins = [0] * 10
    for score, possible in scores:
        bins[min(9, int(10 * score / possible)) if possible else 0] += 1
    histogram = [(f"{10 * i}-{10 * i + 10}%", n / max(1, max(bins)), str(n))
                 for i, n in enumerate(bins)]
    slowest = sorted(graded, key=lambda g: -g[2])[:10]
    failing = [(n, r) for n, r, _ in graded
               if r.get("score", 0) < sum(t.get("max_score", 0) for t in r.get("tests", []))]
    rows = lambda items: "".join(f"<tr>{''.join(f'<td>{html.escape(str(c))}</td>' for c in i)}</tr>"
                                 for i in items)
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>ExoLab lab {lab}: {runs} submissions</title>
<style>body{{font-family:sans-serif;margin:2em}}td{{padding:2px 8px}}</style></head><body>
<h1>Lab {lab}: {runs} graded submissions</h1>
<h2>Pass rate per test</h2>{_bars(rates)}
<h2>Scores</h2>{_bars(histogram)}
<h2>Slowest submissions</h2><table>{rows((n, f"{s:.1f}s") for n, _, s in slowest)}</table>
<h2>Submissions without full marks ({len(failing)})</h2>
<table>{rows((n, r.get("score", 0), failure_reason(r)) for n, r in failing)}</table>
</body></html>
"""
    Path(path).write_text(page)


def flaky_tests(graded):
    """(submission, test, statuses) for each test whose verdict changed
    between runs of the same submission."""
    by = {}
    for name, results, _ in graded:
        for t in results.get("tests", []):
            by.setdefault((name, t["name"]), []).append(
                "pass" if t["status"] == "passed" and t["score"] == t["max_score"] else "FAIL")
    return [(n, t, s) for (n, t), s in by.items() if len(set(s)) > 1]


if __name__ == "__main__":
    sys.exit(main())
