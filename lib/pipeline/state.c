/* state.c — see state.h. */
#include "hash.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "timeutil.h"

/*
 * Version 2: the checksum covers the header line up to the checksum's value, then the
 * entries (an edited cursor is caught too).  Version 1 (checksum over the entries only)
 * is still read; the next save writes version 2.
 */
#define STATE_VERSION 2
#define CHECKSUM_KEY ",\"checksum\":\""
#define MAX_ENTRIES (64u * 1024 * 1024) /* 1 GiB of entries: anything larger is corrupt */

static void
seterr(struct state_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
seterr(struct state_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

int
state_path(const char *dir, const char *source, char *out, size_t outlen)
{
	char name[256];
	size_t i;
	int n;

	for (i = 0; source[i] != '\0' && i < sizeof(name) - 1; i++) {
		char c = source[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		name[i] = ok ? c : '_';
	}
	name[i] = '\0';
	if (name[0] == '.')
		name[0] = '_'; /* never a hidden file, never ".." */
	n = snprintf(out, outlen, "%s/%s.state", dir, name);
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

static void
put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

struct collect {
	struct buf *b;
	int failed;
};

static int
collect_entry(void *arg, uint64_t fp, int64_t time_ms)
{
	struct collect *c = arg;
	unsigned char e[16];

	put_le64(e, fp);
	put_le64(e + 8, (uint64_t)time_ms);
	if (buf_append(c->b, e, sizeof(e)) != 0) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
state_save(const char *dir, const char *source, int64_t cursor_ms,
    const struct seen *seen, struct state_err *err)
{
	char path[4096], tmp[4200], when[96];
	struct buf body, head;
	struct collect c;
	int fd = -1, dfd = -1, rc = -1;
	size_t count;

	buf_init(&body, 0);
	buf_init(&head, 0);
	if (state_path(dir, source, path, sizeof(path)) != 0) {
		seterr(err, "state path for source %s is too long", source);
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	c.b = &body;
	c.failed = 0;
	if (seen != NULL)
		seen_foreach(seen, collect_entry, &c);
	if (c.failed) {
		seterr(err, "out of memory writing %s", path);
		goto out;
	}
	count = body.len / 16;
	if (timeutil_format_rfc3339(cursor_ms, TIMEUTIL_MS, when) == 0) /* cursor_ms says it */
		snprintf(when, sizeof(when), "out of range");
	if (buf_printf(&head,
	        "{\"version\":%d,\"source\":", STATE_VERSION) != 0 ||
	    buf_append_json_string(&head, source, strlen(source)) != 0 ||
	    buf_printf(&head,
	        ",\"cursor\":\"%s\",\"cursor_ms\":%" PRId64 ",\"entries\":%zu" CHECKSUM_KEY,
	        when, cursor_ms, count) != 0) {
		seterr(err, "out of memory writing %s", path);
		goto out;
	}
	{
		uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, (const unsigned char *)head.data, head.len);
		h = hash_fnv1a(h, (const unsigned char *)(body.data ? body.data : ""), body.len);
		if (buf_printf(&head, "%016" PRIx64 "\"}\n", h) != 0) {
			seterr(err, "out of memory writing %s", path);
			goto out;
		}
	}
	/*
	 * Never through a symlink planted at the temporary name (a root daemon would
	 * overwrite its target): remove whatever is there, then create it exclusively.
	 */
	if (unlink(tmp) != 0 && errno != ENOENT) {
		seterr(err, "cannot remove %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		seterr(err, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, head.data, head.len) != 0 ||
	    (body.len > 0 && write_all(fd, body.data, body.len) != 0) || fsync(fd) != 0) {
		seterr(err, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		seterr(err, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		seterr(err, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	/* The rename is durable only once the folder is synced. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		seterr(err, "cannot sync folder %s: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	if (dfd >= 0)
		close(dfd);
	buf_cleanup(&body);
	buf_cleanup(&head);
	return rc;
}

int
state_load(const char *dir, const char *source, int64_t *cursor_ms, struct seen *seen,
    struct state_err *err)
{
	char path[4096];
	FILE *f = NULL;
	char *line = NULL;
	size_t linecap = 0;
	ssize_t linelen;
	json_t *hdr = NULL;
	json_error_t jerr;
	unsigned char *entries = NULL;
	int rc = -1;

	if (state_path(dir, source, path, sizeof(path)) != 0) {
		seterr(err, "state path for source %s is too long", source);
		return -1;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		seterr(err, "cannot read state file %s: %s (fix its permissions; the "
		    "daemon will not silently restart from `start`)", path, strerror(errno));
		return -1;
	}
	linelen = getline(&line, &linecap, f);
	if (linelen <= 0) {
		seterr(err, "state file %s is empty or unreadable; move it away to "
		    "restart source %s from its `start`", path, source);
		goto out;
	}
	hdr = json_loadb(line, (size_t)linelen, 0, &jerr);
	{
		json_t *v = hdr ? json_object_get(hdr, "version") : NULL;
		json_t *cur = hdr ? json_object_get(hdr, "cursor_ms") : NULL;
		json_t *cnt = hdr ? json_object_get(hdr, "entries") : NULL;
		json_t *sum = hdr ? json_object_get(hdr, "checksum") : NULL;
		json_int_t n;
		uint64_t want, got;

		if (!json_is_integer(v) || (json_integer_value(v) != STATE_VERSION &&
		        json_integer_value(v) != 1) ||
		    !json_is_integer(cur) || !json_is_integer(cnt) || !json_is_string(sum)) {
			seterr(err, "state file %s is corrupt (bad header); move it away to "
			    "restart source %s from its `start`", path, source);
			goto out;
		}
		n = json_integer_value(cnt);
		if (n < 0 || (uint64_t)n > MAX_ENTRIES) {
			seterr(err, "state file %s is corrupt (entry count)", path);
			goto out;
		}
		if (n > 0) {
			entries = malloc((size_t)n * 16);
			if (entries == NULL) {
				seterr(err, "out of memory reading %s", path);
				goto out;
			}
		}
		if (n > 0 && fread(entries, 16, (size_t)n, f) != (size_t)n) {
			seterr(err, "state file %s is corrupt (truncated); move it away to "
			    "restart source %s from its `start`", path, source);
			goto out;
		}
		if (fgetc(f) != EOF) {
			seterr(err, "state file %s is corrupt (trailing bytes)", path);
			goto out;
		}
		want = strtoull(json_string_value(sum), NULL, 16);
		if (json_integer_value(v) == 1) {
			got = HASH_FNV1A_INIT;
		} else {
			/* The header up to the checksum's value (the key appears once: inside
			 * the JSON-escaped source name a quote is always escaped). */
			const char *k = strstr(line, CHECKSUM_KEY);
			if (k == NULL) {
				seterr(err, "state file %s is corrupt (bad header); move it away "
				    "to restart source %s from its `start`", path, source);
				goto out;
			}
			got = hash_fnv1a(HASH_FNV1A_INIT, (const unsigned char *)line,
			    (size_t)(k - line) + strlen(CHECKSUM_KEY));
		}
		got = hash_fnv1a(got, entries ? entries : (const unsigned char *)"", (size_t)n * 16);
		if (got != want) {
			seterr(err, "state file %s is corrupt (checksum mismatch); move it "
			    "away to restart source %s from its `start`", path, source);
			goto out;
		}
		if (seen != NULL) {
			for (json_int_t i = 0; i < n; i++) {
				const unsigned char *e = entries + i * 16;
				if (seen_add(seen, get_le64(e), (int64_t)get_le64(e + 8)) < 0) {
					seterr(err, "out of memory reading %s", path);
					goto out;
				}
			}
		}
		*cursor_ms = (int64_t)json_integer_value(cur);
	}
	rc = 1;
out:
	free(entries);
	free(line);
	json_decref(hdr);
	fclose(f);
	return rc;
}
