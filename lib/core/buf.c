/* buf.c — see buf.h. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_DEFAULT_MAX (SIZE_MAX / 2)

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : BUF_DEFAULT_MAX;
}

void
buf_cleanup(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int
buf_reserve(struct buf *b, size_t n)
{
	size_t need, ncap;
	char *p;

	if (n > b->max - b->len)
		return -1;
	need = b->len + n + 1; /* + NUL */
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	p = realloc(b->data, ncap);
	if (p == NULL)
		return -1;
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) != 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_copy_exact(struct buf *b, const void *p, size_t n)
{
	buf_cleanup(b);
	if (n > b->max || (b->data = malloc(n + 1)) == NULL)
		return -1;
	b->cap = n + 1;
	if (n > 0)
		memcpy(b->data, p, n);
	b->len = n;
	b->data[n] = '\0';
	return 0;
}

int
buf_append_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_append_char(struct buf *b, char c)
{
	if (b->len + 1 < b->cap) { /* fast path: room for c and the NUL */
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_append(b, &c, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || buf_reserve(b, (size_t)n) != 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

size_t
buf_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0; /* overlong */
		if (c == 0xED && s[1] >= 0xA0)
			return 0; /* UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xF4 && s[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}

/* Which bytes need escaping: control characters, '"' and '\\'. */
static int
needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

int
buf_append_json_escaped(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;

	/* Worst case grows 6x; reserving the plain length first covers the common case. */
	if (buf_reserve(b, n) != 0)
		return -1;
	while (i < n) {
		/* Copy the longest run of plain ASCII in one go. */
		run = i;
		while (run < n && p[run] < 0x80 && !needs_escape(p[run]))
			run++;
		if (run > i) {
			if (buf_append(b, p + i, run - i) != 0)
				return -1;
			i = run;
			continue;
		}
		if (p[i] >= 0x80) {
			size_t k = buf_utf8_len(p + i, n - i);
			if (k == 0) {
				if (buf_append(b, "\xEF\xBF\xBD", 3) != 0) /* U+FFFD */
					return -1;
				i++;
			} else {
				if (buf_append(b, p + i, k) != 0)
					return -1;
				i += k;
			}
			continue;
		}
		{
			char esc[7];
			size_t elen = 2;
			esc[0] = '\\';
			switch (p[i]) {
			case '"': esc[1] = '"'; break;
			case '\\': esc[1] = '\\'; break;
			case '\n': esc[1] = 'n'; break;
			case '\r': esc[1] = 'r'; break;
			case '\t': esc[1] = 't'; break;
			case '\b': esc[1] = 'b'; break;
			case '\f': esc[1] = 'f'; break;
			default:
				esc[1] = 'u';
				esc[2] = '0';
				esc[3] = '0';
				esc[4] = hex[p[i] >> 4];
				esc[5] = hex[p[i] & 0xF];
				elen = 6;
			}
			if (buf_append(b, esc, elen) != 0)
				return -1;
			i++;
		}
	}
	return 0;
}

int
buf_append_json_string(struct buf *b, const char *s, size_t n)
{
	size_t old = b->len;

	if (buf_append_char(b, '"') != 0 || buf_append_json_escaped(b, s, n) != 0 ||
	    buf_append_char(b, '"') != 0) {
		b->len = old; /* leave the buffer unchanged on failure */
		if (b->data != NULL)
			b->data[old] = '\0';
		return -1;
	}
	return 0;
}

char *
buf_steal(struct buf *b, size_t *len)
{
	char *p = b->data;

	if (len != NULL)
		*len = b->len;
	if (p == NULL) {
		p = calloc(1, 1);
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
