"""For the canned-output cheats (not a cheat itself: make test applies
only .patch and .sh files): replaces env_run in kernel/env.c by the C
definition read from standard input.  The real one stays, as
env_run_real; env_create keeps the program's command line (name and
arguments) in canned_name, for the replacement to print by."""
import re
import sys

path = "kernel/env.c"
s = open(path).read()
s = re.sub(r"(?m)^env_run\(struct Env \*e\)$", "env_run_real(struct Env *e)", s)
s = s.replace("\tconst char *problem;\n\tint r;\n",
              "\tconst char *problem;\n\tint r;\n\n\tcanned_name = name;\n", 1)
s = re.sub(r"(?m)^(#include [^\n]*\n)(?!#include)",
           r"\1\nstatic const char *canned_name;\nvoid env_run_real(struct Env *e);\n", s, 1)
open(path, "w").write(s + "\n" + sys.stdin.read())
