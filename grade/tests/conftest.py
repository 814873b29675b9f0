"""The grader's own tests: python3 -m pytest grade/tests (from the top
of the tree).  They need no kernel and no QEMU: fake_qemu.py stands in
for QEMU, and the lab directories they grade are made up on the spot."""
import sys
from pathlib import Path

GRADE = Path(__file__).resolve().parents[1]
# The tests import gradelib as the labs' tests do.
sys.path.insert(0, str(GRADE))
