/*
 * The PS/2 keyboard, through the 8042 controller at ports 0x60/0x64.
 *
 * Each key press sends a "make" scan code, each release the same code
 * with bit 7 set (scan code set 1, which the 8042 produces by default).
 * Keys on the extended part of the keyboard send 0xE0 first.  We track
 * Shift, Ctrl and Caps Lock ourselves and turn codes into ASCII.
 */
#include <inc/x86.h>
#include <kernel/console.h>

#define KBD_STATUS_PORT 0x64
#define KBD_DATA_PORT	0x60
#define KBD_OUTPUT_FULL 0x01 /* a byte is waiting in the data port */
#define KBD_FROM_MOUSE	0x20 /* ... and it came from the mouse */

#define SC_RELEASE	0x80 /* bit 7: key released */
#define SC_EXTENDED	0xE0 /* prefix for the extended keys */
#define SC_LCTRL	0x1D
#define SC_LSHIFT	0x2A
#define SC_RSHIFT	0x36
#define SC_CAPSLOCK	0x3A
#define SC_KEYPAD_ENTER 0x1C /* after SC_EXTENDED */
#define SC_KEYPAD_SLASH 0x35 /* after SC_EXTENDED */

/*
 * Scan code -> character, without and with Shift.  Index = scan code;
 * '\0' marks keys that produce no character (Shift, Ctrl, Alt, F1...);
 * \033 is Escape.  Codes 0x47-0x53 are the numeric keypad.
 */
static const char normal_map[] = "\0\0331234567890-=\b\t"   /* 0x00 - 0x0F */
				 "qwertyuiop[]\n\0as"	    /* 0x10 - 0x1F */
				 "dfghjkl;'`\0\\zxcv"	    /* 0x20 - 0x2F */
				 "bnm,./\0*\0 \0\0\0\0\0\0" /* 0x30 - 0x3F */
				 "\0\0\0\0\0\0\0"
				 "789-456+1" /* 0x40 - 0x4F */
				 "230.";     /* 0x50 - 0x53 */
static const char shift_map[] = "\0\033!@#$%^&*()_+\b\t"
				"QWERTYUIOP{}\n\0AS"
				"DFGHJKL:\"~\0|ZXCV"
				"BNM<>?\0*\0 \0\0\0\0\0\0"
				"\0\0\0\0\0\0\0"
				"789-456+1"
				"230.";

static bool shift_down, ctrl_down, caps_lock, extended;

/* Turns one scan code into a character; -1 if it makes none. */
static int
scancode_to_char(uint8_t code)
{
	bool released = code & SC_RELEASE;
	bool was_extended = extended;

	if (code == SC_EXTENDED) {
		extended = true;
		return -1;
	}
	extended = false;
	code &= ~SC_RELEASE;

	/* Modifier keys change state and produce nothing.  Right Ctrl
	 * is Left Ctrl's code behind the extended prefix. */
	if (code == SC_LSHIFT || code == SC_RSHIFT) {
		if (!was_extended) /* E0 2A is a fake shift: ignore it */
			shift_down = !released;
		return -1;
	}
	if (code == SC_LCTRL) {
		ctrl_down = !released;
		return -1;
	}
	if (released)
		return -1;
	if (code == SC_CAPSLOCK) {
		caps_lock = !caps_lock;
		return -1;
	}

	if (was_extended) {
		/* Of the extended keys only keypad Enter and / type. */
		if (code == SC_KEYPAD_ENTER)
			return '\n';
		if (code == SC_KEYPAD_SLASH)
			return '/';
		return -1;
	}

	if (code >= sizeof(normal_map) - 1)
		return -1;
	int c = (shift_down ? shift_map : normal_map)[code];
	if (c == '\0')
		return -1;
	/* Caps Lock inverts the case of letters only. */
	if (caps_lock && c >= 'a' && c <= 'z')
		c += 'A' - 'a';
	else if (caps_lock && c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	/* Ctrl-A is 1, ..., Ctrl-Z is 26. */
	if (ctrl_down && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c &= 0x1F;
	return c;
}

int
kbd_getc(void)
{
	for (;;) {
		uint8_t status = inb(KBD_STATUS_PORT);

		if (!(status & KBD_OUTPUT_FULL))
			return -1;
		uint8_t code = inb(KBD_DATA_PORT);
		/* Mouse bytes share the port; they are not keys. */
		if (status & KBD_FROM_MOUSE)
			continue;
		int c = scancode_to_char(code);
		if (c >= 0)
			return c;
	}
}

void
kbd_intr(void)
{
	cons_intr(kbd_getc);
}

void
kbd_init(void)
{
	/* Throw away anything typed before we were ready. */
	while (inb(KBD_STATUS_PORT) & KBD_OUTPUT_FULL)
		(void) inb(KBD_DATA_PORT);
}
