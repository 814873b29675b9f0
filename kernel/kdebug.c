/*
 * debuginfo_eip: from an instruction address to function, file, line.
 */
#include <inc/types.h>
#include <kernel/kdebug.h>

#if SOL >= 1
/*
 * Binary search: the index of the last entry whose address is <= addr,
 * in an array of `count` entries sorted by address, each `stride`
 * bytes long and starting with its address.  -1 if addr comes before
 * every entry.
 */
static int
find_entry(const void *table, int count, size_t stride, uintptr_t addr)
{
	int low = 0, high = count - 1, found = -1;

	while (low <= high) {
		int mid = low + (high - low) / 2;
		uintptr_t mid_addr =
			*(const uintptr_t *) ((const char *) table +
					      mid * stride);

		if (mid_addr <= addr) {
			found = mid; /* a candidate; look for a later one */
			low = mid + 1;
		} else {
			high = mid - 1;
		}
	}
	return found;
}
#endif

/*
 * debuginfo_eip(eip, info)  (lab 1, exercise 12)
 *
 * Fills in *info for the instruction at address eip:
 *   - eip_fn_name and eip_fn_addr: the function containing eip, the
 *     last entry of debug_funcs[] whose addr is <= eip;
 *   - eip_file and eip_line: the last entry of debug_lines[] whose
 *     addr is <= eip.
 * Returns 0 if the function was found, -1 if not (info then says
 * "<unknown>").  Both tables are sorted by address, so use binary
 * search, not a scan: a backtrace looks up every frame.
 *
 * Hint: the tables hold at most a few thousand entries; the same
 * search works for both if you pass it each table's element size.
 */
int
debuginfo_eip(uintptr_t eip, struct Eipdebuginfo *info)
{
	info->eip_file = "<unknown>";
	info->eip_line = 0;
	info->eip_fn_name = "<unknown>";
	info->eip_fn_addr = eip;

#if SOL >= 1
	int fn = find_entry(debug_funcs, debug_nfuncs, sizeof(debug_funcs[0]),
			    eip);
	if (fn < 0)
		return -1;
	info->eip_fn_name = debug_funcs[fn].name;
	info->eip_fn_addr = debug_funcs[fn].addr;

	int line = find_entry(debug_lines, debug_nlines, sizeof(debug_lines[0]),
			      eip);
	if (line >= 0) {
		info->eip_file = debug_lines[line].file;
		info->eip_line = debug_lines[line].line;
	}
	return 0;
#else
	/* LAB 1: Your code here (exercise 12). */
	return -1;
#endif
}
