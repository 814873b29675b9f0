#!/usr/bin/env python3
"""Write a Gradescope autograder bundle for one lab (`make gradescope`).

    python3 grade/tools/gradescope.py --lab N [--out obj/gradescope/labN.zip]

The zip holds, at its top (Gradescope unpacks it into /autograder/source):
  setup.sh          installs the Debian/Ubuntu packages (Ubuntu 22.04, Debian 12);
  run_autograder    grades /autograder/submission into
                    /autograder/results/results.json;
  autograde.py      the trusted grading of grade/tools/autograde.py;
  manifest.txt      the files taken from a submission;
  tree/             the pristine lab N tree (the handout, plus the private
                    tests of grade/private/labK): no solution is in it, so
                    no submission can #include one.
run_autograder reads AUTOGRADER_ROOT (default /autograder), so that the
bundle can be tried on a simulated layout; EXOLAB_AUTOGRADE_FLAGS adds
options (-k EXPR, say).
"""
import argparse
import os
import shutil
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import autograde  # noqa: E402
import handout  # noqa: E402

ROOT = handout.ROOT
PACKAGES = ("build-essential gcc-multilib gdb qemu-system-x86 python3 python3-pytest "
            "python3-pytest-xdist grub-pc-bin grub-common xorriso mtools git unzip")

SETUP = f"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the grading image
# (Ubuntu 22.04 or Debian 12): the packages the build and the grader need.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends {PACKAGES}
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission: grade {root}/submission with
# the trusted tree in {root}/source, write {root}/results/results.json.
set -u
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
mkdir -p "$ROOT/results"
# The first Python 3 that has pytest (a PATH may put another one first).
PYTHON=python3
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import pytest' >/dev/null 2>&1; then PYTHON="$p"; break; fi
done
"$PYTHON" "$SOURCE/autograde.py" --lab {lab} --tree "$SOURCE/tree" \\
    --manifest-file "$SOURCE/manifest.txt" --out "$ROOT/results/grading" \\
    -n "$(nproc 2>/dev/null || echo 1)" ${{EXOLAB_AUTOGRADE_FLAGS:-}} "$ROOT/submission"
if [ -f "$ROOT/results/grading/results.json" ]; then
    cp "$ROOT/results/grading/results.json" "$ROOT/results/results.json"
else
    # The grader itself failed: say so rather than leave no result.
    printf '{{"score": 0, "output": "the autograder failed; see its log", "tests": []}}\\n' \\
        > "$ROOT/results/results.json"
fi
"""


def write_bundle(lab: int, out: Path):
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        tree = stage / "tree"
        tree.mkdir()
        handout.make_tree(lab, tree)
        autograde.add_private_tests(lab, tree)
        (stage / "manifest.txt").write_text("\n".join(autograde.student_files(lab)) + "\n")
        shutil.copyfile(Path(autograde.__file__), stage / "autograde.py")
        (stage / "setup.sh").write_text(SETUP)
        (stage / "run_autograder").write_text(RUN.format(lab=lab, root="/autograder"))
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            out.unlink()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(stage.rglob("*")):
                if not path.is_file():
                    continue
                name = str(path.relative_to(stage))
                info = zipfile.ZipInfo(name)
                executable = name in ("setup.sh", "run_autograder") or \
                    os.access(path, os.X_OK)
                info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", type=int, required=True)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if shutil.which("unifdef") is None:
        sys.exit("gradescope: unifdef not found: sudo apt install unifdef")
    out = args.out or ROOT / "obj" / "gradescope" / f"lab{args.lab}.zip"
    write_bundle(args.lab, out)
    print(f"gradescope: wrote {out} (upload it as the assignment's autograder)")


if __name__ == "__main__":
    main()
