/* recparser.c — see recparser.h. */
#include "recparser.h"

static int
rp_page_begin(void *arg, yajl_handle h, const char *text, size_t len)
{
	return normalize_page_begin(arg, h, text, len);
}

static void
rp_rec_begin(void *arg)
{
	normalize_page_record_begin(arg);
}

static const void *
rp_rec_end(void *arg, int failed)
{
	const struct event *ev;
	struct normalize_err nerr;

	if (failed || normalize_page_record_end(arg, &ev, &nerr) != 0)
		return NULL;
	return ev;
}

void
recparser_init(struct search_rec_parser *rp, struct normalizer *n)
{
	rp->cb = normalize_page_callbacks();
	rp->arg = n;
	rp->page_begin = rp_page_begin;
	rp->rec_begin = rp_rec_begin;
	rp->rec_end = rp_rec_end;
}
