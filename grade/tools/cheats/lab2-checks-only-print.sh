# Cheat: mem_init prints the self-checks' "succeeded!" lines instead of
# running them (here around a working pmap.c, so that only the missing
# self-checks can give it away).
# Lab: 2
# Targets: check_page_free_list check_page_alloc check_page check_kern_pgdir check_page_installed_pgdir
#
# A script: it runs in the student's tree; $REFERENCE is a solved tree.
set -e
cp "$REFERENCE/kernel/pmap.c" kernel/pmap.c
sed -i -E 's/^(\s*)(check_[a-z_]+)\((true|false)?\);/\1cprintf("\2() succeeded!\\n");/' kernel/pmap.c
grep -q 'cprintf("check_page() succeeded' kernel/pmap.c
