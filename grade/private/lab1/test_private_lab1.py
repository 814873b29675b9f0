"""Lab 1's private tests: in the Gradescope bundle and in make autograde,
never in the handout (grade/private/ is instructor-only).  Their results
stay hidden from students until the grades are published."""
import random
import re

from gradelib import points, run_kernel, stubs


@points(5, part="private")
@stubs("%o")
def test_private_printf_another_number():
    """%o on one more number picked at grading time, in its own boot."""
    n = random.SystemRandom().randrange(1, 1 << 31)
    output = run_kernel("lab1-private-printf", [], cmdline=f"printf={n}")
    output.expect(re.escape(f"printf: {n} is octal [{n:o}] width [{n:14o}] "
                            f"zeros [{n:014o}]"))
