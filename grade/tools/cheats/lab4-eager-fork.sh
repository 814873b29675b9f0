# Cheat: fork copies every writable page into the child at once (as
# dumbfork does) instead of sharing it copy-on-write: simpler, no page
# fault handler needed, and every program that forks still prints the
# same lines.  Everything else of labs 1 to 4 is done (the reference's
# kernel/ and lib/).
# Lab: 4
# Targets: fork_maps_copy_on_write
#
# A script: it runs in the student's tree; $REFERENCE is a solved tree.
set -e
cp -R "$REFERENCE/kernel" "$REFERENCE/lib" .
python3 - <<'PY'
path = "lib/fork.c"
s = open(path).read()
old = "\tperm = (perm & ~PTE_W) | PTE_COW;\n"
new = r'''	/* Eager: a fresh page for the child, a copy of ours. */
	if ((r = sys_page_alloc(0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		return r;
	memmove(UTEMP, va, PGSIZE);
	if ((r = sys_page_map(0, UTEMP, envid, va, PTE_P | PTE_U | PTE_W)) < 0)
		return r;
	return sys_page_unmap(0, UTEMP);
'''
assert s.count(old) == 1
s = s.replace(old, new + old, 1)
open(path, "w").write(s)
PY
grep -q "Eager: a fresh page" lib/fork.c
