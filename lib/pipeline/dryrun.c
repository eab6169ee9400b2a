/* dryrun.c — see dryrun.h. */
#include "dryrun.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "format.h"
#include "search.h"

/* A dry-run reads files a user points at: refuse anything absurd. */
#define DRYRUN_MAX_FILE (1024L * 1024 * 1024)

struct dr {
	struct normalizer *n;
	enum conf_format fmt;
	const char *region;
	FILE *out;
	struct buf line;
	long written;
	long skipped;
	long where;          /* line number (NDJSON) or result index (response) */
	int lines;           /* 1 = NDJSON */
	char first_bad[160];
	int write_failed;
};

static int
emit(struct dr *d, const char *p, size_t n)
{
	const struct event *ev;
	struct normalize_err e;
	int rc = d->lines ? normalize_any(d->n, p, n, &ev, &e)
			  : normalize_record(d->n, p, n, &ev, &e);

	if (rc != 0) {
		if (d->skipped++ == 0)
			snprintf(d->first_bad, sizeof(d->first_bad), "%s %ld: %.120s",
			    d->lines ? "line" : "result", d->where, e.msg);
		return 0;
	}
	buf_reset(&d->line);
	if (format_encode(ev, d->fmt, d->region, &d->line) != 0 ||
	    buf_append_char(&d->line, '\n') != 0) {
		if (d->skipped++ == 0)
			snprintf(d->first_bad, sizeof(d->first_bad), "%s %ld: out of memory",
			    d->lines ? "line" : "result", d->where);
		return 0;
	}
	if (fwrite(d->line.data, 1, d->line.len, d->out) != d->line.len) {
		d->write_failed = 1;
		return -1;
	}
	d->written++;
	return 0;
}

static int
emit_result(void *arg, const char *p, size_t n)
{
	struct dr *d = arg;

	d->where++;
	return emit(d, p, n);
}

static char *
slurp(const char *path, size_t *len, struct normalize_err *err)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t r;

	if (f == NULL) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, DRYRUN_MAX_FILE);
	while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(&b, chunk, r) != 0) {
			snprintf(err->msg, sizeof(err->msg), "%s: too large or out of memory",
			    path);
			goto fail;
		}
	}
	if (ferror(f)) {
		snprintf(err->msg, sizeof(err->msg), "%s: read error", path);
		goto fail;
	}
	fclose(f);
	if (b.data == NULL && buf_append(&b, "", 0) != 0) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		buf_cleanup(&b);
		return NULL;
	}
	return buf_steal(&b, len);
fail:
	fclose(f);
	buf_cleanup(&b);
	return NULL;
}

/* Cheap test before the real parse: a response body has a "results" key. */
static int
has_results_key(const char *p, size_t len)
{
	static const char key[] = "\"results\"";
	size_t i;

	for (i = 0; i + sizeof(key) - 1 <= len; i++)
		if (p[i] == '"' && memcmp(p + i, key, sizeof(key) - 1) == 0)
			return 1;
	return 0;
}

long
dryrun_file(const char *path, enum conf_format fmt, const char *region, FILE *out,
    struct normalize_err *err)
{
	struct dr d;
	char *text;
	size_t len, i, start;
	long rc = -1;
	struct normalize_err e;
	struct search_record *recs = NULL;
	size_t cap = 0, nrecs = 0;
	char perr[256];

	memset(&d, 0, sizeof(d));
	err->msg[0] = '\0';
	text = slurp(path, &len, err);
	if (text == NULL)
		return -1;
	d.n = normalizer_new();
	if (d.n == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto out;
	}
	d.fmt = fmt;
	d.region = region;
	d.out = out;
	buf_init(&d.line, 0);

	/* A whole-file response body first; anything else is read line by line. */
	if (has_results_key(text, len) &&
	    search_parse_page(text, len, &recs, &cap, &nrecs, perr, sizeof(perr)) == 0) {
		/* The same page splitter the daemon uses on SearchLogs responses. */
		for (i = 0; i < nrecs; i++)
			if (emit_result(&d, recs[i].json, recs[i].len) != 0)
				break;
		if (d.write_failed)
			goto write_fail;
	} else if (d.write_failed) {
		goto write_fail;
	} else {
		const struct event *ev;
		d.lines = 1;
		d.written = d.skipped = 0;
		d.first_bad[0] = '\0';
		/* A single pretty-printed record spans lines: try the whole text first. */
		if (normalize_any(d.n, text, len, &ev, &e) == 0) {
			d.where = 1;
			if (emit(&d, text, len) != 0)
				goto write_fail;
		} else {
			for (i = 0, start = 0; i <= len; i++) {
				if (i < len && text[i] != '\n')
					continue;
				d.where++;
				{
					size_t a = start, b = i;
					while (a < b && (text[a] == ' ' || text[a] == '\t' ||
							    text[a] == '\r'))
						a++;
					while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' ||
							    text[b - 1] == '\r'))
						b--;
					if (b > a && emit(&d, text + a, b - a) != 0)
						goto write_fail;
				}
				start = i + 1;
			}
		}
	}
	if (fflush(out) != 0)
		goto write_fail;
	if (d.skipped > 0)
		snprintf(err->msg, sizeof(err->msg), "%ld record%s skipped; first: %.160s",
		    d.skipped, d.skipped == 1 ? "" : "s", d.first_bad);
	rc = d.written;
	goto out;
write_fail:
	snprintf(err->msg, sizeof(err->msg), "write error: %s", strerror(errno));
out:
	buf_cleanup(&d.line);
	normalizer_free(d.n);
	free(recs);
	free(text);
	return rc;
}
