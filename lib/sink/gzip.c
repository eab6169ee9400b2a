/* gzip.c — see gzip.h. */
#include "gzip.h"

#include <libdeflate.h>
#include <stdlib.h>

struct gzip_comp {
	struct libdeflate_compressor *c;
};

struct gzip_comp *
gzip_comp_new(int level)
{
	struct gzip_comp *z = malloc(sizeof(*z));

	if (z == NULL)
		return NULL;
	if (level < 1 || level > 12)
		level = GZIP_LEVEL_DEFAULT;
	z->c = libdeflate_alloc_compressor(level);
	if (z->c == NULL) {
		free(z);
		return NULL;
	}
	return z;
}

void
gzip_comp_free(struct gzip_comp *z)
{
	if (z == NULL)
		return;
	libdeflate_free_compressor(z->c);
	free(z);
}

int
gzip_comp_run(struct gzip_comp *z, const void *in, size_t len, struct buf *out)
{
	size_t bound, n;

	buf_reset(out);
	bound = libdeflate_gzip_compress_bound(z->c, len);
	if (buf_reserve(out, bound) != 0)
		return -1;
	n = libdeflate_gzip_compress(z->c, in, len, out->data, bound);
	if (n == 0)
		return -1;
	out->len = n;
	out->data[n] = '\0';
	return 0;
}

int
gzip_compress(const void *in, size_t len, int level, struct buf *out)
{
	struct gzip_comp *z = gzip_comp_new(level);
	int rc;

	buf_reset(out);
	if (z == NULL)
		return -1;
	rc = gzip_comp_run(z, in, len, out);
	gzip_comp_free(z);
	return rc;
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
