/* sink_body.c — see sink_body.h. */
#include "sink_body.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void
sink_body_init(struct sink_body *b)
{
	memset(b, 0, sizeof(*b));
	buf_init(&b->glue, 0);
}

void
sink_body_reset(struct sink_body *b)
{
	buf_reset(&b->glue);
	b->n = 0;
	b->marked = 0;
	b->len = 0;
	b->rd_piece = b->rd_in = b->rd_off = 0;
}

void
sink_body_cleanup(struct sink_body *b)
{
	buf_cleanup(&b->glue);
	free(b->pc);
	sink_body_init(b);
}

struct buf *
sink_body_glue(struct sink_body *b)
{
	return &b->glue;
}

int
sink_body_reserve(struct sink_body *b, size_t n)
{
	struct sink_piece *p;

	if (n <= b->cap - b->n)
		return 0;
	if (n > SIZE_MAX / sizeof(*p) - b->n)
		return -1;
	p = realloc(b->pc, (b->n + n) * sizeof(*p));
	if (p == NULL)
		return -1;
	b->pc = p;
	b->cap = b->n + n;
	return 0;
}

static int
push(struct sink_body *b, const char *ref, size_t off, size_t len)
{
	struct sink_piece *p;

	if (len == 0)
		return 0;
	if (b->n > 0) {
		p = &b->pc[b->n - 1];
		/* Adjacent bytes make one piece (the glue always is, after a mark). */
		if ((ref == NULL && p->ref == NULL && p->off + p->len == off) ||
		    (ref != NULL && p->ref != NULL && p->ref + p->len == ref)) {
			p->len += len;
			b->len += len;
			return 0;
		}
	}
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		p = realloc(b->pc, ncap * sizeof(*p));
		if (p == NULL)
			return -1;
		b->pc = p;
		b->cap = ncap;
	}
	b->pc[b->n].ref = ref;
	b->pc[b->n].off = off;
	b->pc[b->n].len = len;
	b->n++;
	b->len += len;
	return 0;
}

/* The glue appended since the last piece becomes a piece. */
static int
mark(struct sink_body *b)
{
	if (b->glue.len <= b->marked)
		return 0;
	if (push(b, NULL, b->marked, b->glue.len - b->marked) != 0)
		return -1;
	b->marked = b->glue.len;
	return 0;
}

int
sink_body_ref(struct sink_body *b, const char *p, size_t n)
{
	if (mark(b) != 0)
		return -1;
	return push(b, p, 0, n);
}

int
sink_body_end(struct sink_body *b)
{
	return mark(b);
}

static const char *
piece_data(const struct sink_body *b, const struct sink_piece *p)
{
	return p->ref != NULL ? p->ref : b->glue.data + p->off;
}

size_t
sink_body_read(struct sink_body *b, size_t off, char *dst, size_t max)
{
	size_t done = 0;

	if (off != b->rd_off) {
		/* Not where the last read stopped: find off from the start. */
		b->rd_piece = 0;
		b->rd_in = 0;
		b->rd_off = 0;
		while (b->rd_piece < b->n && b->rd_off + b->pc[b->rd_piece].len <= off)
			b->rd_off += b->pc[b->rd_piece++].len;
		if (b->rd_piece == b->n)
			return 0;
		b->rd_in = off - b->rd_off;
		b->rd_off = off;
	}
	while (done < max && b->rd_piece < b->n) {
		const struct sink_piece *p = &b->pc[b->rd_piece];
		size_t k = p->len - b->rd_in;
		if (k > max - done)
			k = max - done;
		memcpy(dst + done, piece_data(b, p) + b->rd_in, k);
		done += k;
		b->rd_in += k;
		if (b->rd_in == p->len) {
			b->rd_piece++;
			b->rd_in = 0;
		}
	}
	b->rd_off += done;
	return done;
}

const char *
sink_body_flat(const struct sink_body *b, struct buf *scratch, size_t *len)
{
	size_t i;

	*len = b->len;
	if (b->n == 0)
		return "";
	if (b->n == 1 && b->pc[0].ref == NULL)
		return b->glue.data + b->pc[0].off;
	buf_reset(scratch);
	if (buf_reserve(scratch, b->len) != 0)
		return NULL;
	for (i = 0; i < b->n; i++)
		buf_append(scratch, piece_data(b, &b->pc[i]), b->pc[i].len);
	return scratch->data;
}
