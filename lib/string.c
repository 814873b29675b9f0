/*
 * String and memory routines for the kernel and user programs.
 * Plain byte loops, except memset/memmove, which use 32-bit string
 * instructions when everything is word-aligned: clearing and copying
 * pages is common enough in an OS to be worth it.
 */
#include <inc/string.h>

int
strlen(const char *s)
{
	int n;

	for (n = 0; *s != '\0'; s++)
		n++;
	return n;
}

int
strnlen(const char *s, size_t size)
{
	int n;

	for (n = 0; size > 0 && *s != '\0'; s++, size--)
		n++;
	return n;
}

char *
strcpy(char *dst, const char *src)
{
	char *ret = dst;

	while ((*dst++ = *src++) != '\0')
		continue;
	return ret;
}

char *
strcat(char *dst, const char *src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

/* Copies at most size bytes; pads with NULs; may leave dst unterminated. */
char *
strncpy(char *dst, const char *src, size_t size)
{
	char *ret = dst;

	for (size_t i = 0; i < size; i++) {
		*dst++ = *src;
		if (*src != '\0')
			src++;
	}
	return ret;
}

/* Copies and always terminates (if size > 0); returns bytes copied. */
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	char *start = dst;

	if (size > 0) {
		while (--size > 0 && *src != '\0')
			*dst++ = *src++;
		*dst = '\0';
	}
	return dst - start;
}

int
strcmp(const char *p, const char *q)
{
	while (*p && *p == *q)
		p++, q++;
	return (int) ((unsigned char) *p - (unsigned char) *q);
}

int
strncmp(const char *p, const char *q, size_t n)
{
	while (n > 0 && *p && *p == *q)
		n--, p++, q++;
	if (n == 0)
		return 0;
	return (int) ((unsigned char) *p - (unsigned char) *q);
}

/* The first c in s, or NULL. */
char *
strchr(const char *s, char c)
{
	for (; *s; s++)
		if (*s == c)
			return (char *) s;
	return NULL;
}

/* The first c in s, or the end of s. */
char *
strfind(const char *s, char c)
{
	for (; *s; s++)
		if (*s == c)
			break;
	return (char *) s;
}

void *
memset(void *v, int c, size_t n)
{
	void *d = v;

	if ((uintptr_t) v % 4 == 0 && n % 4 == 0) {
		uint32_t word = c & 0xFF;
		size_t words = n / 4;

		word = (word << 24) | (word << 16) | (word << 8) | word;
		asm volatile("cld; rep stosl"
			     : "+D"(d), "+c"(words)
			     : "a"(word)
			     : "cc", "memory");
	} else {
		asm volatile("cld; rep stosb"
			     : "+D"(d), "+c"(n)
			     : "a"(c)
			     : "cc", "memory");
	}
	return v;
}

/*
 * Copies n bytes with the string instruction `rep movs`, 4 bytes at a
 * time when everything is word-aligned.  A backward copy sets the
 * direction flag (std) and starts from the last unit; the ABI requires
 * the flag clear again (cld) before we return.
 */
static inline __attribute__((always_inline)) void
copy_bytes(char *d, const char *s, size_t n, bool backwards)
{
	/* All three multiples of 4: their OR is. */
	bool words = (((uintptr_t) s | (uintptr_t) d | n) & 3) == 0;

	if (words && backwards) {
		d += n - 4, s += n - 4, n /= 4;
		asm volatile("std; rep movsl; cld"
			     : "+D"(d), "+S"(s), "+c"(n)
			     :
			     : "cc", "memory");
	} else if (words) {
		n /= 4;
		asm volatile("cld; rep movsl"
			     : "+D"(d), "+S"(s), "+c"(n)
			     :
			     : "cc", "memory");
	} else if (backwards) {
		d += n - 1, s += n - 1;
		asm volatile("std; rep movsb; cld"
			     : "+D"(d), "+S"(s), "+c"(n)
			     :
			     : "cc", "memory");
	} else {
		asm volatile("cld; rep movsb"
			     : "+D"(d), "+S"(s), "+c"(n)
			     :
			     : "cc", "memory");
	}
}

void *
memmove(void *dst, const void *src, size_t n)
{
	const char *s = src;
	char *d = dst;

	if (n == 0)
		return dst;
	/* If dst overlaps the end of src, a forward copy would overwrite
	 * source bytes before reading them: copy from the end down. */
	copy_bytes(d, s, n, s < d && s + n > d);
	return dst;
}

/* memcpy may assume no overlap, but copies as memmove does: the test
 * costs two compares.  copy_bytes is inline in both, so a page copy
 * (copy-on-write's) is one call and a rep movsl. */
void *
memcpy(void *dst, const void *src, size_t n)
{
	const char *s = src;
	char *d = dst;

	if (n != 0)
		copy_bytes(d, s, n, s < d && s + n > d);
	return dst;
}

int
memcmp(const void *v1, const void *v2, size_t n)
{
	const uint8_t *s1 = v1;
	const uint8_t *s2 = v2;

	for (; n > 0; n--, s1++, s2++)
		if (*s1 != *s2)
			return (int) *s1 - (int) *s2;
	return 0;
}

/* The first byte equal to c in [s, s+n), or s+n. */
void *
memfind(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	const unsigned char *end = p + n;

	for (; p < end; p++)
		if (*p == (unsigned char) c)
			break;
	return (void *) p;
}

/*
 * Converts the start of s to a long in `base` (2..36; 0 means: decimal,
 * or hex after "0x", or octal after "0").  Stores the first unused
 * character in *endptr if endptr is not NULL.
 */
long
strtol(const char *s, char **endptr, int base)
{
	bool negative = false;
	/* Unsigned, so that 8 hex digits (0xf0000000) wrap as they do in
	 * the machine instead of overflowing a signed long. */
	unsigned long val = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '+')
		s++;
	else if (*s == '-') {
		negative = true;
		s++;
	}

	if ((base == 0 || base == 16) && s[0] == '0' &&
	    (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	} else if (base == 0 && s[0] == '0') {
		s++;
		base = 8;
	} else if (base == 0) {
		base = 10;
	}

	for (;; s++) {
		int digit;

		if (*s >= '0' && *s <= '9')
			digit = *s - '0';
		else if (*s >= 'a' && *s <= 'z')
			digit = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'Z')
			digit = *s - 'A' + 10;
		else
			break;
		if (digit >= base)
			break;
		val = val * base + digit;
	}

	if (endptr)
		*endptr = (char *) s;
	return (long) (negative ? -val : val);
}
