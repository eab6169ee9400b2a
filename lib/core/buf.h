/*
 * buf.h — a growing byte buffer with a hard size cap (cf. curl's dynbuf).
 *
 * Embedded value type: fields are visible but use only the API.  The contents are always
 * NUL-terminated (the NUL is not counted in len), so a buffer of text can be handed to C
 * string functions.  Every append fails with -1, leaving the buffer unchanged, when it
 * would exceed max or when memory runs out.
 */
#ifndef OCI_LOGFWD_BUF_H
#define OCI_LOGFWD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;  /* NULL until the first append */
	size_t len;  /* bytes in use, without the trailing NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* hard cap on len; 0 = SIZE_MAX/2 */
};

void buf_init(struct buf *b, size_t max);
void buf_cleanup(struct buf *b); /* frees; leaves an empty, reusable buffer */
void buf_reset(struct buf *b);   /* len = 0, keeps the allocation */

/* Makes room for n more bytes; 0 or -1. */
int buf_reserve(struct buf *b, size_t n);
int buf_append(struct buf *b, const void *p, size_t n);
/*
 * Replaces b's contents with p[0..n) in an allocation of exactly n + 1 bytes, for a buffer
 * kept long whose size is final (buf_reserve rounds up to a power of two: a 70 KB body
 * would keep 128 KiB).  0, or -1 (memory, above max: b is then empty).  p must not
 * point into b.
 */
int buf_copy_exact(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
int buf_append_char(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/*
 * Appends s[0..n) as the inside of a JSON string (no quotes): escapes ", \ and control
 * characters, and replaces invalid UTF-8 with U+FFFD, so the output is always valid JSON.
 */
int buf_append_json_escaped(struct buf *b, const char *s, size_t n);
/* Same, wrapped in double quotes. */
int buf_append_json_string(struct buf *b, const char *s, size_t n);
/* Length of the valid UTF-8 sequence at s[0..n) (n > 0): 1..4, or 0 when it is invalid
 * (overlong, a UTF-16 surrogate, above U+10FFFF, or cut short by n). */
size_t buf_utf8_len(const unsigned char *s, size_t n);

/* Takes the contents: returns the data (caller frees) and leaves b empty. */
char *buf_steal(struct buf *b, size_t *len);

#endif
