/* gzip.c — see gzip.h. */
#include "gzip.h"

#include <libdeflate.h>

int
gzip_compress(const void *in, size_t len, int level, struct buf *out)
{
	struct libdeflate_compressor *c;
	size_t bound, n;

	buf_reset(out);
	if (level < 1 || level > 12)
		level = GZIP_LEVEL_DEFAULT;
	c = libdeflate_alloc_compressor(level);
	if (c == NULL)
		return -1;
	bound = libdeflate_gzip_compress_bound(c, len);
	if (buf_reserve(out, bound) != 0) {
		libdeflate_free_compressor(c);
		return -1;
	}
	n = libdeflate_gzip_compress(c, in, len, out->data, bound);
	libdeflate_free_compressor(c);
	if (n == 0)
		return -1;
	out->len = n;
	out->data[n] = '\0';
	return 0;
}

int
gzip_decompress(const void *in, size_t len, size_t max_out, struct buf *out)
{
	struct libdeflate_decompressor *d;
	const unsigned char *p = in;
	size_t guess, actual = 0;
	enum libdeflate_result r;

	buf_reset(out);
	if (max_out == 0)
		max_out = 256u << 20;
	if (len < 18)
		return -1;
	/* The trailer's ISIZE is the size mod 2^32: a good first guess, not a promise. */
	guess = (size_t)p[len - 4] | (size_t)p[len - 3] << 8 |
	    (size_t)p[len - 2] << 16 | (size_t)p[len - 1] << 24;
	if (guess < 64)
		guess = 64;
	d = libdeflate_alloc_decompressor();
	if (d == NULL)
		return -1;
	for (;;) {
		if (guess > max_out)
			guess = max_out;
		if (buf_reserve(out, guess) != 0)
			break;
		r = libdeflate_gzip_decompress(d, in, len, out->data, guess, &actual);
		if (r == LIBDEFLATE_SUCCESS) {
			out->len = actual;
			out->data[actual] = '\0';
			libdeflate_free_decompressor(d);
			return 0;
		}
		if (r != LIBDEFLATE_INSUFFICIENT_SPACE || guess >= max_out)
			break;
		guess *= 2;
	}
	libdeflate_free_decompressor(d);
	buf_reset(out);
	return -1;
}
