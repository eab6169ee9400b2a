/*
 * conf.c — see conf.h.
 *
 * libinih splits lines into key and value and strips comments; everything else is ours.
 * We hand inih the file through our own line reader (ini_parse_stream) because the
 * handler of the Debian build gets no line number, inih never reports empty or duplicate
 * section headers, truncates section names to 50 bytes and would glue indented lines onto
 * the previous key (multi-line values).  The reader therefore counts lines, takes the
 * section headers itself (inih only ever sees key = value lines, comments and blanks) and
 * left-trims every line, so an indented key is just a key.
 *
 * Like OpenBSD's parse.y we keep going after an error, so one run reports every problem,
 * and only an error-free file yields a struct conf.
 */
#include "conf.h"
#include "conf_impl.h"

#include "buf.h"
#include "kafka_common.h"
#include "log.h"
#include "sink_registry.h"
#include "template.h"
#include "timeutil.h"

#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum sect_kind { SK_DAEMON, SK_OCI, SK_SOURCE, SK_SINK };

static const struct key *const kind_keys[] = { conf_daemon_keys, conf_oci_keys, conf_source_keys, conf_sink_keys };

/* A [sink] key that is not generic, kept until `type` is known (it may come later). */
struct rawkey {
	char *name;
	char *value;              /* after ${VAR} expansion; NULL when that failed */
	int line;
};

struct sect {
	enum sect_kind kind;
	size_t idx;               /* into sources / sinks */
	int line;                 /* of the header */
	char label[CONF_MAX_NAME + 16]; /* "sink siem", for messages */
	int keyline[MAX_KEYS];    /* where each key was set; 0 = default */
	struct rawkey *raw;       /* sinks: the keys of the type's table, in file order */
	size_t nraw;
	int type_bad;             /* sinks: `type` was given but refused */
};

struct perr {
	int line;                 /* INT_MAX when none */
	size_t seq;
	char *text;
};

struct pctx {
	const char *path;
	struct conf *c;
	struct perr *errs;
	size_t nerrs, caperrs;
	int nerr;
	int oom;
	/* the reader */
	const char *data;
	size_t len, pos;
	int line;
	/* sections */
	struct sect *sects;
	size_t nsects, capsects;
	long cur;                 /* index into sects; -1 before any/inside a bad one */
	int skip;                 /* keys of a rejected section are ignored */
};

/* ---------------------------------------------------------------- errors */

static void errf(struct pctx *p, int line, const char *label, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void verrf(struct pctx *p, int line, const char *label, const char *key,
    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void
errf(struct pctx *p, int line, const char *label, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrf(p, line, label, key, fmt, ap);
	va_end(ap);
}

static void
verrf(struct pctx *p, int line, const char *label, const char *key, const char *fmt,
    va_list ap)
{
	struct buf b;
	struct perr *grown;
	int rc = 0;

	p->nerr++;
	buf_init(&b, 4096);
	if (line > 0)
		rc |= buf_printf(&b, "%s:%d: ", p->path, line);
	else
		rc |= buf_printf(&b, "%s: ", p->path);
	if (label && key)
		rc |= buf_printf(&b, "[%s] %s: ", label, key);
	else if (label)
		rc |= buf_printf(&b, "[%s] ", label);
	else if (key)
		rc |= buf_printf(&b, "%s: ", key);
	rc |= buf_vprintf(&b, fmt, ap);
	if (rc < 0 || !b.data) {
		buf_cleanup(&b);
		p->oom = 1;
		return;
	}
	if (p->nerrs == p->caperrs) {
		size_t cap = p->caperrs ? p->caperrs * 2 : 16;
		if (!(grown = realloc(p->errs, cap * sizeof(*grown)))) {
			buf_cleanup(&b);
			p->oom = 1;
			return;
		}
		p->errs = grown;
		p->caperrs = cap;
	}
	p->errs[p->nerrs].line = line > 0 ? line : INT_MAX;
	p->errs[p->nerrs].seq = p->nerrs;
	p->errs[p->nerrs].text = buf_steal(&b, NULL);
	p->nerrs++;
}

/* By line (errors without one last), then in the order found. */
static int
perr_cmp(const void *a, const void *b)
{
	const struct perr *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Joins the sorted messages into err; frees them. */
static void
errs_finish(struct pctx *p, struct conf_err *err)
{
	struct buf b;
	size_t i;
	int full = 0;

	qsort(p->errs, p->nerrs, sizeof(*p->errs), perr_cmp);
	buf_init(&b, CONF_MAX_ERRTEXT);
	for (i = 0; i < p->nerrs; i++) {
		if (err && !full && ((i && buf_append_char(&b, '\n') < 0) ||
					buf_append_str(&b, p->errs[i].text) < 0))
			full = 1;
		free(p->errs[i].text);
	}
	free(p->errs);
	p->errs = NULL;
	p->nerrs = 0;
	if (err) {
		err->count = p->nerr;
		err->text = buf_steal(&b, &err->len);
		if (!err->text && (err->text = strdup("out of memory")))
			err->len = strlen(err->text);
	}
	buf_cleanup(&b);
}

/* A value quoted for a message: bounded, control characters replaced. */
struct qv {
	char s[72];
};

static struct qv
quote_mark(const char *v, int marks)
{
	struct qv q;
	size_t i, o = 0;

	if (marks)
		q.s[o++] = '"';
	for (i = 0; v[i] && o < 60; i++)
		q.s[o++] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
	if (v[i]) {
		memcpy(q.s + o, "...", 3);
		o += 3;
	}
	if (marks)
		q.s[o++] = '"';
	q.s[o] = '\0';
	return q;
}

static struct qv
quote(const char *v)
{
	return quote_mark(v, 1);
}

void
conf_err_cleanup(struct conf_err *err)
{
	if (!err)
		return;
	free(err->text);
	err->text = NULL;
	err->len = 0;
	err->count = 0;
}

/* ---------------------------------------------------------------- helpers */

/* A new formatted string (asprintf is a GNU extension); NULL on OOM. */
static char *strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
strfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static void
set_str(char **slot, char *v)
{
	free(*slot);
	*slot = v;
}

static void
free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static int
dupstr(struct pctx *p, char **slot, const char *v)
{
	char *c = strdup(v);

	if (!c) {
		p->oom = 1;
		return -1;
	}
	set_str(slot, c);
	return 0;
}

/*
 * Expands ${VAR} from the environment; "$${" is a literal "${", any other "$" is
 * literal.  Returns a new string, or NULL (error reported, or p->oom set).
 */
static char *
expand(struct pctx *p, const struct sect *s, const char *key, const char *v, int line)
{
	struct buf b;
	const char *q = v, *end, *val;
	char name[128];
	size_t n;
	int bad = 0;

	buf_init(&b, CONF_MAX_VALUE);
	if (buf_append_str(&b, "") < 0)
		goto oom;
	while (*q) {
		if (q[0] == '$' && q[1] == '$' && q[2] == '{') {
			if (buf_append_str(&b, "${") < 0)
				goto toolong;
			q += 3;
			continue;
		}
		if (q[0] != '$' || q[1] != '{') {
			if (buf_append_char(&b, *q++) < 0)
				goto toolong;
			continue;
		}
		end = strchr(q + 2, '}');
		if (!end) {
			errf(p, line, s->label, key, "unterminated ${ (write $${ for a literal ${)");
			bad = 1;
			break;
		}
		n = (size_t)(end - (q + 2));
		if (n == 0 || n >= sizeof(name)) {
			errf(p, line, s->label, key, "bad variable reference ${...}");
			bad = 1;
			q = end + 1;
			continue;
		}
		memcpy(name, q + 2, n);
		name[n] = '\0';
		if (!(isalpha((unsigned char)name[0]) || name[0] == '_') ||
		    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789_") != n) {
			errf(p, line, s->label, key, "bad variable name ${%s}", quote(name).s);
			bad = 1;
		} else if (!(val = getenv(name))) {
			errf(p, line, s->label, key, "${%s} is not set", name);
			bad = 1;
		} else if (buf_append_str(&b, val) < 0) {
			goto toolong;
		}
		q = end + 1;
	}
	if (bad) {
		buf_cleanup(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
toolong:
	/* The cap is by far the likelier cause; memory exhaustion reads the same. */
	errf(p, line, s->label, key, "longer than %d bytes after ${VAR} expansion",
	    CONF_MAX_VALUE);
	buf_cleanup(&b);
	return NULL;
oom:
	p->oom = 1;
	buf_cleanup(&b);
	return NULL;
}

/* "a FIFO", "a folder", ... for a message about what a path is instead of a file. */
static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a folder";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/*
 * Opens path for reading only if it is a regular file, and never blocks doing so: stat()
 * first (a FIFO would block open() until a writer comes, a device like /dev/zero never
 * ends), open with O_NONBLOCK, then fstat() the descriptor and check that it is the very
 * file that was checked (it may have been replaced in between).  Returns the descriptor
 * (st filled), or -1 with a message in why.
 */
static int
open_regular(const char *path, struct stat *st, char *why, size_t whylen)
{
	struct stat before;
	int fd, flags;

	if (stat(path, &before) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(before.st_mode)) {
		snprintf(why, whylen, "is %s, not a regular file", file_kind(before.st_mode));
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, st) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode) || st->st_dev != before.st_dev ||
	    st->st_ino != before.st_ino) {
		snprintf(why, whylen, "was replaced while being opened");
		close(fd);
		return -1;
	}
	/* Reads of a regular file do not block anyway; clear the flag all the same. */
	if ((flags = fcntl(fd, F_GETFL)) >= 0)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

/*
 * Reads a secret file: relative paths are taken from $CREDENTIALS_DIRECTORY (systemd
 * LoadCredential=).  The file must be private to its owner.  Returns the secret (one
 * line, trailing newline stripped) and the resolved path, both new; NULL on error.
 */
static char *
read_secret(struct pctx *p, const struct sect *s, const char *key, const char *path,
    int line, char **resolved)
{
	char *full = NULL, *data = NULL, why[128];
	const char *dir;
	struct stat st;
	ssize_t r;
	size_t len = 0;
	int fd = -1;

	if (path[0] != '/') {
		dir = getenv("CREDENTIALS_DIRECTORY");
		if (!dir || !*dir) {
			errf(p, line, s->label, key,
			    "%s is a relative path but $CREDENTIALS_DIRECTORY is not set "
			    "(use an absolute path, or systemd LoadCredential=)",
			    quote(path).s);
			return NULL;
		}
		if (!(full = strfmt("%s/%s", dir, path))) {
			p->oom = 1;
			return NULL;
		}
	} else if (!(full = strdup(path))) {
		p->oom = 1;
		return NULL;
	}
	if ((fd = open_regular(full, &st, why, sizeof(why))) < 0) {
		errf(p, line, s->label, key, "cannot read \"%s\": %s", full, why);
		goto fail;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		errf(p, line, s->label, key,
		    "\"%s\" is accessible by group or others (mode %04o); run: chmod 600 %s",
		    full, (unsigned)(st.st_mode & 07777), full);
		goto fail;
	}
	if (st.st_size > CONF_MAX_SECRET) {
		errf(p, line, s->label, key, "\"%s\" is larger than %d bytes", full,
		    CONF_MAX_SECRET);
		goto fail;
	}
	if (!(data = malloc(CONF_MAX_SECRET + 1))) {
		p->oom = 1;
		goto fail;
	}
	while (len < CONF_MAX_SECRET &&
	    (r = read(fd, data + len, CONF_MAX_SECRET - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			errf(p, line, s->label, key, "cannot read \"%s\": %s", full,
			    strerror(errno));
			goto fail;
		}
		len += (size_t)r;
	}
	data[len] = '\0';
	if (memchr(data, '\0', len)) {
		errf(p, line, s->label, key, "\"%s\" contains a NUL byte", full);
		goto fail;
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	if (len == 0) {
		errf(p, line, s->label, key, "\"%s\" is empty", full);
		goto fail;
	}
	if (strpbrk(data, "\r\n")) {
		errf(p, line, s->label, key, "\"%s\" holds more than one line", full);
		goto fail;
	}
	close(fd);
	*resolved = full;
	return data;
fail:
	if (data) {
		explicit_bzero(data, CONF_MAX_SECRET + 1);
		free(data);
	}
	if (fd >= 0)
		close(fd);
	free(full);
	return NULL;
}

/* ---------------------------------------------------------------- sections */

static void
trim(char **b, char **e)
{
	while (*b < *e && isspace((unsigned char)**b))
		(*b)++;
	while (*e > *b && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* A section header line "[kind name]" (already left-trimmed). */
static void
section_header(struct pctx *p, char *line)
{
	char *close = strchr(line, ']');
	char *b = line + 1, *e, *kind, *name = NULL, *rest;
	enum sect_kind k;
	struct sect *s;
	size_t i;
	void *grown;

	p->cur = -1;
	p->skip = 1;
	if (!close) {
		errf(p, p->line, NULL, NULL, "section header without a closing ]");
		return;
	}
	rest = close + 1;
	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest && *rest != ';' && *rest != '#') {
		errf(p, p->line, NULL, NULL, "text after the section header");
		return;
	}
	e = close;
	trim(&b, &e);
	*e = '\0';
	kind = b;
	for (; *b && !isspace((unsigned char)*b); b++)
		;
	if (*b) {
		*b++ = '\0';
		while (isspace((unsigned char)*b))
			b++;
		name = b;
	}
	if (strcmp(kind, "daemon") == 0) {
		k = SK_DAEMON;
	} else if (strcmp(kind, "oci") == 0) {
		k = SK_OCI;
	} else if (strcmp(kind, "source") == 0) {
		k = SK_SOURCE;
	} else if (strcmp(kind, "sink") == 0) {
		k = SK_SINK;
	} else {
		errf(p, p->line, NULL, NULL,
		    "[%s%s%s] unknown section (expected [daemon], [oci], [source NAME] or "
		    "[sink NAME])",
		    quote_mark(kind, 0).s, name ? " " : "", name ? quote_mark(name, 0).s : "");
		return;
	}
	if ((k == SK_DAEMON || k == SK_OCI) && name) {
		errf(p, p->line, NULL, NULL, "[%s] takes no name", kind);
		return;
	}
	if ((k == SK_SOURCE || k == SK_SINK) && !name) {
		errf(p, p->line, NULL, NULL, "[%s] needs a name: [%s NAME]", kind, kind);
		return;
	}
	if (name && !conf_valid_name(name)) {
		errf(p, p->line, NULL, NULL,
		    "[%s %s] bad name: use up to %d letters, digits, _ . - (not starting "
		    "with .)",
		    kind, quote_mark(name, 0).s, CONF_MAX_NAME);
		return;
	}
	for (i = 0; i < p->nsects; i++) {
		const struct sect *o = &p->sects[i];
		const char *oname = o->kind == SK_SOURCE ? p->c->sources[o->idx].name :
		    o->kind == SK_SINK ? p->c->sinks[o->idx].name : NULL;

		if (o->kind == k && (!name || strcmp(oname, name) == 0)) {
			errf(p, p->line, NULL, NULL,
			    "[%s%s%s] duplicate section (first on line %d)", kind,
			    name ? " " : "", name ? name : "", o->line);
			return;
		}
	}
	if (p->nsects == p->capsects) {
		size_t cap = p->capsects ? p->capsects * 2 : 8;
		if (!(grown = realloc(p->sects, cap * sizeof(*p->sects))))
			goto oom;
		p->sects = grown;
		p->capsects = cap;
	}
	s = &p->sects[p->nsects];
	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->line = p->line;
	snprintf(s->label, sizeof(s->label), "%s%s%s", kind, name ? " " : "",
	    name ? name : "");
	if (k == SK_SOURCE) {
		struct conf_source *src;
		if (!(grown = realloc(p->c->sources,
			  (p->c->n_sources + 1) * sizeof(*p->c->sources))))
			goto oom;
		p->c->sources = grown;
		src = &p->c->sources[p->c->n_sources];
		memset(src, 0, sizeof(*src));
		conf_source_defaults(src);
		src->line = p->line;
		if (!(src->name = strdup(name)))
			goto oom;
		s->idx = p->c->n_sources++;
	} else if (k == SK_SINK) {
		struct conf_sink *snk;
		if (!(grown = realloc(p->c->sinks, (p->c->n_sinks + 1) * sizeof(*p->c->sinks))))
			goto oom;
		p->c->sinks = grown;
		snk = &p->c->sinks[p->c->n_sinks];
		memset(snk, 0, sizeof(*snk));
		conf_sink_defaults(snk);
		snk->line = p->line;
		if (!(snk->name = strdup(name)))
			goto oom;
		s->idx = p->c->n_sinks++;
	}
	p->cur = (long)p->nsects++;
	p->skip = 0;
	return;
oom:
	p->oom = 1;
}

static void *
sect_base(struct pctx *p, const struct sect *s)
{
	switch (s->kind) {
	case SK_DAEMON:
		return &p->c->daemon;
	case SK_OCI:
		return &p->c->oci;
	case SK_SOURCE:
		return &p->c->sources[s->idx];
	case SK_SINK:
		return &p->c->sinks[s->idx];
	}
	return NULL;
}

static int
enum_lookup(const char *const *names, const char *v)
{
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return -1;
}

static void
enum_choices(const char *const *names, char *out, size_t outsz)
{
	size_t o = 0;
	int i;

	out[0] = '\0';
	for (i = 0; names[i] && o < outsz; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s%s", i ? ", " : "", names[i]);
}

/* Parses v for key k and stores it into base.  Errors are reported, never fatal. */
static void
store(struct pctx *p, struct sect *s, const struct key *k, void *base, const char *v,
    int line)
{
	char *slot_c = (char *)base + k->off;
	int64_t i64;
	double d;
	int iv, rel, rc;
	char choices[160];
	char *end;

	switch (k->type) {
	case V_STR:
	case V_PATH:
		if (!*v)
			set_str((char **)(void *)slot_c, NULL);
		else
			dupstr(p, (char **)(void *)slot_c, v);
		return;
	case V_REQSTR:
		if (!*v) {
			errf(p, line, s->label, k->name, "must not be empty");
			return;
		}
		dupstr(p, (char **)(void *)slot_c, v);
		return;
	case V_ABSPATH:
		if (v[0] != '/') {
			errf(p, line, s->label, k->name, "%s is not an absolute path",
			    quote(v).s);
			return;
		}
		dupstr(p, (char **)(void *)slot_c, v);
		return;
	case V_URL:
		if (!*v) {
			set_str((char **)(void *)slot_c, NULL);
			return;
		}
		/* Not quoted back: a URL may carry credentials.  A sink's url may also be a
		 * byte stream's (syslog); the registry matches scheme and type. */
		if (!conf_valid_url(v) && !(s->kind == SK_SINK && sink_url_is_stream(v))) {
			errf(p, line, s->label, k->name, "is not an http:// or https:// URL");
			return;
		}
		if (conf_has_space_or_ctl(v)) {
			errf(p, line, s->label, k->name,
			    "holds a space or a control character (write a space as %%20)");
			return;
		}
		dupstr(p, (char **)(void *)slot_c, v);
		return;
	case V_HOSTPORT:
		if (!*v) {
			set_str((char **)(void *)slot_c, NULL);
			return;
		}
		if (!conf_valid_hostport(v)) {
			errf(p, line, s->label, k->name, "%s is not host:port", quote(v).s);
			return;
		}
		dupstr(p, (char **)(void *)slot_c, v);
		return;
	case V_DUR:
	case V_SIZE:
		if (k->type == V_DUR)
			rc = conf_parse_duration(v, &i64);
		else
			rc = conf_parse_size(v, &i64);
		if (rc < 0) {
			errf(p, line, s->label, k->name, "%s is not a %s", quote(v).s,
			    k->type == V_DUR ? "duration (e.g. 500ms, 30s, 5m, 1h, 30d)" :
					       "size (e.g. 512B, 64KiB, 1MiB, 10MB)");
			return;
		}
		if (i64 < k->min || i64 > k->max) {
			char lo[32], hi[32];
			if (k->type == V_DUR) {
				conf_format_duration(k->min, lo, sizeof(lo));
				conf_format_duration(k->max, hi, sizeof(hi));
			} else {
				conf_format_size(k->min, lo, sizeof(lo));
				conf_format_size(k->max, hi, sizeof(hi));
			}
			errf(p, line, s->label, k->name, "%s is out of range (%s..%s)",
			    quote(v).s, lo, hi);
			return;
		}
		*(int64_t *)(void *)slot_c = i64;
		return;
	case V_BOOL:
		if (conf_parse_bool(v, &iv) < 0) {
			errf(p, line, s->label, k->name,
			    "%s is not a boolean (true/false, yes/no, on/off, 1/0)", quote(v).s);
			return;
		}
		*(int *)(void *)slot_c = iv;
		return;
	case V_INT:
	case V_I64:
		if (conf_parse_i64(v, &i64) < 0) {
			errf(p, line, s->label, k->name, "%s is not an integer", quote(v).s);
			return;
		}
		if (i64 < k->min || i64 > k->max) {
			errf(p, line, s->label, k->name, "%s is out of range (%lld..%lld)",
			    quote(v).s, (long long)k->min, (long long)k->max);
			return;
		}
		if (k->type == V_INT)
			*(int *)(void *)slot_c = (int)i64;
		else
			*(int64_t *)(void *)slot_c = i64;
		return;
	case V_DOUBLE:
		errno = 0;
		end = NULL;
		d = *v && !isspace((unsigned char)*v) ? strtod(v, &end) : NAN;
		if (!end || *end || errno || !isfinite(d)) {
			errf(p, line, s->label, k->name, "%s is not a number", quote(v).s);
			return;
		}
		if (d < (double)k->min || d > (double)k->max) {
			errf(p, line, s->label, k->name, "%s is out of range (%lld..%lld)",
			    quote(v).s, (long long)k->min, (long long)k->max);
			return;
		}
		*(double *)(void *)slot_c = d;
		return;
	case V_ENUM:
		if ((iv = enum_lookup(k->enums, v)) < 0) {
			enum_choices(k->enums, choices, sizeof(choices));
			errf(p, line, s->label, k->name, "%s is not one of %s", quote(v).s,
			    choices);
			return;
		}
		*(int *)(void *)slot_c = iv;
		return;
	case V_TYPEKEYS:
		return; /* never looked up by name (handler) */
	case V_SINKTYPE:
		if ((iv = sink_type_lookup(v)) < 0) {
			sink_type_list(choices, sizeof(choices), NULL, ", ");
			errf(p, line, s->label, k->name, "%s is not one of %s", quote(v).s,
			    choices);
			return;
		}
		*(int *)(void *)slot_c = iv;
		return;
	case V_LOGLEVEL: {
		enum log_level lvl;
		if (log_level_parse(v, &lvl) < 0) {
			errf(p, line, s->label, k->name,
			    "%s is not one of debug, info, notice, warning, error", quote(v).s);
			return;
		}
		*(int *)(void *)slot_c = (int)lvl;
		return;
	}
	case V_TIME:
		if (strcmp(v, "earliest") == 0 || strcmp(v, "latest") == 0) {
			/* type = streaming: where a new consumer group begins (check_source
			 * refuses these words for a search source). */
			((struct conf_source *)base)->stream.start_latest = v[0] == 'l';
			((struct conf_source *)base)->stream.start_word = 1;
			return;
		}
		if (conf_parse_time(v, &rel, &i64) < 0) {
			errf(p, line, s->label, k->name,
			    "%s is neither a relative time (-1h) nor RFC 3339 "
			    "(2025-03-14T09:00:00Z)",
			    quote(v).s);
			return;
		}
		/* Only start uses V_TIME; its flag sits next to it. */
		((struct conf_source *)base)->start_is_relative = rel;
		*(int64_t *)(void *)slot_c = i64;
		return;
	case V_LIST:
		rc = conf_list_parse((struct conf_list *)(void *)slot_c, v);
		if (rc == -1)
			p->oom = 1;
		else if (rc == -2)
			errf(p, line, s->label, k->name, "%s has an empty item", quote(v).s);
		return;
	case V_HEADER:
		/* Not quoted back: headers carry credentials. */
		if (!conf_valid_header(v)) {
			errf(p, line, s->label, k->name,
			    "is not \"Name: value\" (a header name is letters, digits and "
			    "!#$%%&'*+-.^_`|~)");
			return;
		}
		for (const char *c = v; *c; c++) {
			/* CR or LF would end the header early: a header of the caller's
			 * making, or a request split in two. */
			if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f) {
				errf(p, line, s->label, k->name,
				    "holds a control character (CR, LF, ...)");
				return;
			}
		}
		if (((struct conf_list *)(void *)slot_c)->n >= CONF_MAX_HEADERS) {
			errf(p, line, s->label, k->name, "more than %d header lines",
			    CONF_MAX_HEADERS);
			return;
		}
		if (conf_list_push((struct conf_list *)(void *)slot_c, v, strlen(v)) < 0)
			p->oom = 1;
		return;
	case V_SECRET:
		if (!*v) {
			free_secret(*(char **)(void *)slot_c);
			*(char **)(void *)slot_c = NULL;
			return;
		}
		{
			char *c = strdup(v);
			if (!c) {
				p->oom = 1;
				return;
			}
			free_secret(*(char **)(void *)slot_c);
			*(char **)(void *)slot_c = c;
		}
		return;
	}
}

/* Edit distance, bounded: only short key names are compared (typo suggestions). */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, tmp;
	size_t row[64];

	if (la >= 64 || lb >= 64)
		return 64;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < cur)
				cur = row[j] + 1;
			if (row[j - 1] + 1 < cur)
				cur = row[j - 1] + 1;
			tmp = row[j];
			row[j] = cur;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The closest key name of the table, if it is a likely typo; NULL otherwise. */
static const char *
suggest(const struct key *keys, const char *name)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;

	for (i = 0; keys[i].name; i++) {
		if (keys[i].type == V_TYPEKEYS)
			continue;
		d = distance(keys[i].name, name);
		if (d < bestd) {
			bestd = d;
			best = keys[i].name;
		}
	}
	return best;
}

/* The raw key of s named name, or NULL. */
static const struct rawkey *
raw_find(const struct sect *s, const char *name)
{
	for (size_t i = 0; i < s->nraw; i++)
		if (strcmp(s->raw[i].name, name) == 0)
			return &s->raw[i];
	return NULL;
}

/* Keeps a [sink] key that is not generic for parse_type_keys; takes v. */
static void
raw_push(struct pctx *p, struct sect *s, const char *name, char *v, int line)
{
	const struct rawkey *o = raw_find(s, name);
	struct rawkey *grown;
	char *n;

	if (o != NULL) {
		errf(p, line, s->label, name, "already set on line %d", o->line);
		free(v);
		return;
	}
	if (!(grown = realloc(s->raw, (s->nraw + 1) * sizeof(*s->raw))) ||
	    !(n = strdup(name))) {
		if (grown)
			s->raw = grown;
		p->oom = 1;
		free(v);
		return;
	}
	s->raw = grown;
	s->raw[s->nraw++] = (struct rawkey){ n, v, line };
}

static void
raw_free(struct sect *s)
{
	for (size_t i = 0; i < s->nraw; i++) {
		free(s->raw[i].name);
		free(s->raw[i].value);
	}
	free(s->raw);
	s->raw = NULL;
	s->nraw = 0;
}

/* The inih handler: section is ignored, the reader keeps p->cur. */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct pctx *p = user;
	struct sect *s;
	const struct key *keys, *k = NULL;
	char *v = NULL;
	size_t i, nl;
	int line = p->line, is_file = 0;
	void *base;

	(void)section;
	if (p->oom)
		return 1;
	if (p->cur < 0) {
		if (!p->skip)
			errf(p, line, NULL, name,
			    "outside any section (put it under [daemon], [oci], [source NAME] "
			    "or [sink NAME])");
		return 1;
	}
	s = &p->sects[p->cur];
	keys = kind_keys[s->kind];
	/* A dozen keys per table: a linear scan costs nothing next to the file read. */
	for (i = 0; keys[i].name; i++)
		if (keys[i].type != V_TYPEKEYS && strcmp(keys[i].name, name) == 0)
			break;
	if (!keys[i].name) {
		nl = strlen(name);
		if (nl > 5 && strcmp(name + nl - 5, "_file") == 0) {
			for (i = 0; keys[i].name; i++)
				if (keys[i].type == V_SECRET && strlen(keys[i].name) == nl - 5 &&
				    strncmp(keys[i].name, name, nl - 5) == 0)
					break;
			is_file = keys[i].name != NULL;
		}
		if (!is_file && s->kind == SK_SINK) {
			/* Perhaps a key of the type's table: parse_type_keys decides once the
			 * whole section (and so `type`) is read. */
			/* Kept even when its value is refused (value NULL), as a generic key
			 * counts as set then: no "missing" on top of the value's error. */
			v = expand(p, s, name, value, line);
			if (v && strpbrk(v, "\r\n")) {
				errf(p, line, s->label, name, "contains a line break");
				free(v);
				v = NULL;
			}
			raw_push(p, s, name, v, line);
			return 1;
		}
		if (!is_file) {
			const char *hint = suggest(keys, name);
			if (hint)
				errf(p, line, s->label, name, "unknown key (did you mean %s?)", hint);
			else
				errf(p, line, s->label, name, "unknown key");
			return 1;
		}
	}
	k = &keys[i];
	if (k->type != V_HEADER && s->keyline[i]) {
		if (k->type == V_SECRET)
			errf(p, line, s->label, name,
			    "already set on line %d (%s and %s_file are one setting)",
			    s->keyline[i], k->name, k->name);
		else
			errf(p, line, s->label, name, "already set on line %d", s->keyline[i]);
		return 1;
	}
	s->keyline[i] = line;
	if (!(v = expand(p, s, name, value, line)))
		return 1;
	if (strpbrk(v, "\r\n")) {
		errf(p, line, s->label, name, "contains a line break");
		goto done;
	}
	base = sect_base(p, s);
	if (is_file) {
		char *resolved = NULL, *secret;
		char **file_slot = (char **)(void *)((char *)base + k->file_off);

		if (!*v) {
			errf(p, line, s->label, name, "must not be empty");
			goto done;
		}
		if ((secret = read_secret(p, s, name, v, line, &resolved))) {
			free_secret(*(char **)(void *)((char *)base + k->off));
			*(char **)(void *)((char *)base + k->off) = secret;
			set_str(file_slot, resolved);
		}
		goto done;
	}
	if (k->type == V_SINKTYPE) {
		int before = p->nerr;
		store(p, s, k, base, v, line);
		s->type_bad = p->nerr != before;
		goto done;
	}
	store(p, s, k, base, v, line);
done:
	if (k->type == V_SECRET)
		explicit_bzero(v, strlen(v));
	free(v);
	return 1;
}

/*
 * The line reader handed to inih: one line per call, left-trimmed, section headers and
 * malformed lines taken out (inih gets an empty line in their place), so inih's line
 * count and ours stay equal and every error is reported with its line.
 */
static char *
reader(char *str, int num, void *stream)
{
	struct pctx *p = stream;
	const char *s, *nl;
	size_t n, avail;
	char *line = NULL;

	if (p->pos >= p->len || num < 3)
		return NULL;
	s = p->data + p->pos;
	avail = p->len - p->pos;
	nl = memchr(s, '\n', avail);
	n = nl ? (size_t)(nl - s) : avail;
	p->pos += n + (nl ? 1 : 0);
	p->line++;
	if (p->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		n -= 3;
	}
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	str[0] = '\n';
	str[1] = '\0';
	if (n == 0 || *s == ';' || *s == '#')
		return str;
	if (n + 2 > (size_t)num) {
		errf(p, p->line, NULL, NULL, "line longer than %d bytes", num - 2);
		return str;
	}
	if (memchr(s, '\0', n)) {
		errf(p, p->line, NULL, NULL, "NUL byte in line");
		return str;
	}
	if (*s == '[') {
		if (!(line = strndup(s, n))) {
			p->oom = 1;
			return str;
		}
		section_header(p, line);
		free(line);
		return str;
	}
	/* inih splits at the first = or : */
	if (!memchr(s, '=', n) && !memchr(s, ':', n)) {
		errf(p, p->line, p->cur >= 0 ? p->sects[p->cur].label : NULL, NULL,
		    "expected key = value");
		return str;
	}
	if (*s == '=' || *s == ':') {
		errf(p, p->line, p->cur >= 0 ? p->sects[p->cur].label : NULL, NULL,
		    "missing key name before %c", *s);
		return str;
	}
	memcpy(str, s, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

/* ---------------------------------------------------------------- validation */

static int
keyline(const struct sect *s, const char *name)
{
	const struct key *keys = kind_keys[s->kind];
	size_t i;

	const struct rawkey *r;

	for (i = 0; keys[i].name; i++)
		if (keys[i].type != V_TYPEKEYS && strcmp(keys[i].name, name) == 0)
			return s->keyline[i];
	r = raw_find(s, name);
	return r != NULL ? r->line : 0;
}

/* 1 when name is a key that some type's table prints right after `url`: one that stands
 * for url in that type (file's path), so the fix for another type is to use url. */
static int
is_url_alternative(const char *name)
{
	for (int t = 0; strcmp(sink_type_name((enum conf_sink_type)t), "?") != 0; t++) {
		const struct key *tk = sink_type_conf_keys((enum conf_sink_type)t);

		for (size_t i = 0; tk != NULL && tk[i].name; i++)
			if (tk[i].types == 2 && strcmp(tk[i].name, name) == 0)
				return 1;
	}
	return 0;
}

/*
 * KEY_file of a secret in a sink type's table (kafka's sasl_password_file): read now,
 * as a generic secret's _file is, so that the secret itself is what -t masks and what a
 * reload compares.  1 when rk was such a key (handled, errors reported), else 0.
 */
static int
type_secret_file(struct pctx *p, struct sect *s, const struct key *tk, void *base,
    const struct rawkey *rk)
{
	size_t nl = strlen(rk->name), i;
	char *resolved = NULL, *secret;

	if (nl <= 5 || strcmp(rk->name + nl - 5, "_file") != 0)
		return 0;
	for (i = 0; tk[i].name; i++)
		if (tk[i].type == V_SECRET && tk[i].file_off != 0 &&
		    strlen(tk[i].name) == nl - 5 && strncmp(tk[i].name, rk->name, nl - 5) == 0)
			break;
	if (!tk[i].name)
		return 0;
	if (rk->value == NULL)
		return 1;
	if (!*rk->value) {
		errf(p, rk->line, s->label, rk->name, "must not be empty");
		return 1;
	}
	if ((secret = read_secret(p, s, rk->name, rk->value, rk->line, &resolved))) {
		free_secret(*(char **)(void *)((char *)base + tk[i].off));
		*(char **)(void *)((char *)base + tk[i].off) = secret;
		set_str((char **)(void *)((char *)base + tk[i].file_off), resolved);
	}
	return 1;
}

/*
 * The keys of a sink's type table, once `type` is known: allocates the type's config
 * (its defaults set) and parses the section's other keys into it, each with its line;
 * a key of another type's table is reported with the types that read it.
 */
static void
parse_type_keys(struct pctx *p, struct sect *s)
{
	struct conf_sink *k = &p->c->sinks[s->idx];
	const struct key *tk;
	char types[256];
	int oom;

	k->type_conf = sink_type_conf_new(k->type, &oom);
	if (oom) {
		p->oom = 1;
		return;
	}
	tk = sink_type_conf_keys(k->type);
	for (size_t r = 0; r < s->nraw; r++) {
		const struct rawkey *rk = &s->raw[r];
		size_t i = 0;

		while (tk != NULL && tk[i].name && strcmp(tk[i].name, rk->name) != 0)
			i++;
		if (tk != NULL && tk[i].name) {
			if (rk->value != NULL)
				store(p, s, &tk[i], k->type_conf, rk->value, rk->line);
			continue;
		}
		if (tk != NULL && type_secret_file(p, s, tk, k->type_conf, rk))
			continue;
		if (s->type_bad)
			continue; /* the type's error is reported; its keys are unknown */
		sink_type_list(types, sizeof(types), rk->name, " or ");
		if (types[0] != '\0' && is_url_alternative(rk->name) &&
		    sink_type_uses_key(k->type, "url")) {
			errf(p, rk->line, s->label, rk->name, "is only for type %s (use url for "
			    "type %s)", types, sink_type_name(k->type));
		} else if (types[0] != '\0') {
			errf(p, rk->line, s->label, rk->name, "is only for type %s (this sink is "
			    "type %s)", types, sink_type_name(k->type));
		} else {
			const char *hint = suggest(conf_sink_keys, rk->name);
			if (!hint && tk != NULL)
				hint = suggest(tk, rk->name);
			if (hint)
				errf(p, rk->line, s->label, rk->name,
				    "unknown key (did you mean %s?)", hint);
			else
				errf(p, rk->line, s->label, rk->name, "unknown key");
		}
	}
}

static int
is_set_line(const struct sect *s, const char *name)
{
	return keyline(s, name) > 0;
}

static int
line_or(const struct sect *s, const char *name)
{
	int l = keyline(s, name);
	return l > 0 ? l : s->line;
}

/*
 * 1 when the query has a `sort` operator: a `|`-separated stage (outside quotes) whose
 * first word is "sort".  OCI Logging strings are in single or double quotes.
 */
static int
query_has_sort(const char *q)
{
	char quote = 0;

	for (const char *c = q; *c; c++) {
		if (quote) {
			if (*c == '\\' && c[1] != '\0')
				c++;
			else if (*c == quote)
				quote = 0;
			continue;
		}
		if (*c == '"' || *c == '\'') {
			quote = *c;
		} else if (*c == '|') {
			const char *w = c + 1;
			while (*w == ' ' || *w == '\t')
				w++;
			if (strncasecmp(w, "sort", 4) == 0 &&
			    (w[4] == '\0' || isspace((unsigned char)w[4])))
				return 1;
		}
	}
	return 0;
}

/*
 * A query without a sort operator gets one: whether OCI pages an unsorted result
 * stably is not documented, and Oracle's own export tooling sorts.
 */
static void
sort_query(struct pctx *p, struct conf_source *src)
{
	char *q;

	if (!src->query || query_has_sort(src->query))
		return;
	if (!(q = strfmt("%s" CONF_SORT_SUFFIX, src->query))) {
		p->oom = 1;
		return;
	}
	set_str(&src->query, q);
	src->sort_appended = 1;
}

/* type = streaming: what a consumer group needs; search-only keys are ignored. */
static void
check_streaming(struct pctx *p, const struct sect *s, struct conf_source *src)
{
	const struct conf_streaming *k = &src->stream;

	if (!k->bootstrap_servers)
		errf(p, line_or(s, "bootstrap_servers"), s->label, "bootstrap_servers",
		    "missing (required for type = streaming: the host:port list)");
	if (k->topics.n == 0)
		errf(p, line_or(s, "topic"), s->label, "topic",
		    "missing (required for type = streaming: the stream's name)");
	if (!k->group_id)
		errf(p, line_or(s, "group_id"), s->label, "group_id",
		    "missing (required for type = streaming: the same on every VM that shares "
		    "the work)");
	if (k->security_protocol == CONF_KSEC_SASL_SSL ||
	    k->security_protocol == CONF_KSEC_SASL_PLAINTEXT) {
		if (!k->sasl_username)
			errf(p, line_or(s, "sasl_username"), s->label, "sasl_username",
			    "missing (required with security_protocol = sasl_*; OCI Streaming: "
			    "TENANCY/USER/STREAM_POOL_OCID)");
		if (!k->sasl_password)
			errf(p, line_or(s, "sasl_password"), s->label, "sasl_password",
			    "missing (required with security_protocol = sasl_*; OCI Streaming: an "
			    "auth token, best as sasl_password_file)");
	}
	if (is_set_line(s, "start") && !k->start_word)
		errf(p, line_or(s, "start"), s->label, "start",
		    "is earliest or latest for type = streaming");
	{
		/* OCI Streaming's brokers refuse other forms: found by -t, not at the first
		 * connection (kafka_common.h). */
		struct kafka_security ks = { .bootstrap_servers = k->bootstrap_servers,
			.protocol = k->security_protocol, .mechanism = k->sasl_mechanism,
			.username = k->sasl_username };
		const char *key;
		char why[512];
		if (kafka_oci_check(&ks, &key, why, sizeof(why)) != 0)
			errf(p, line_or(s, key), s->label, key, "%s", why);
	}
}

static void
check_source(struct pctx *p, const struct sect *s)
{
	struct conf_source *src = &p->c->sources[s->idx];

	if (src->type == CONF_SOURCE_STREAMING) {
		check_streaming(p, s, src);
		return;
	}
	if (!src->query && !is_set_line(s, "query"))
		errf(p, s->line, s->label, "query", "missing (required)");
	else if (!src->query)
		errf(p, line_or(s, "query"), s->label, "query", "must not be empty");
	if (src->stream.start_word)
		errf(p, line_or(s, "start"), s->label, "start", "earliest/latest are for "
		    "type = streaming; a search source starts at a relative time (-1h) or an "
		    "RFC 3339 time");
	sort_query(p, src);
	if (src->overlap_ms > src->retention_ms)
		errf(p, line_or(s, "overlap"), s->label, "overlap",
		    "is longer than retention");
	if (src->lag_ms >= src->retention_ms)
		errf(p, line_or(s, "lag"), s->label, "lag", "is not shorter than retention");
	if (!src->start_is_relative && src->start_ms < 0)
		errf(p, line_or(s, "start"), s->label, "start", "is before 1970");
}

/* Where key name of table keys is kept in base; NULL when the table has no such key. */
static void *
key_slot(const struct key *keys, void *base, const char *name)
{
	size_t i;

	for (i = 0; keys != NULL && base != NULL && keys[i].name; i++)
		if (keys[i].type != V_TYPEKEYS && strcmp(keys[i].name, name) == 0)
			return (char *)base + keys[i].off;
	return NULL;
}

/* The string value of sink key name, generic or of the type's table; NULL when unset. */
static const char *
sink_str(const struct conf_sink *k, const char *name)
{
	char **slot = key_slot(conf_sink_keys, (void *)k, name);

	if (slot == NULL)
		slot = key_slot(sink_type_conf_keys(k->type), k->type_conf, name);
	return slot != NULL ? *slot : NULL;
}

/* A section under validation, as a sink type's check sees it (conf.h). */
struct conf_check {
	struct pctx *p;
	const struct sect *s;
};

void
conf_check_err(struct conf_check *chk, int line, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrf(chk->p, line, chk->s->label, key, fmt, ap);
	va_end(ap);
}

int
conf_check_line(const struct conf_check *chk, const char *key)
{
	return line_or(chk->s, key);
}

int
conf_check_section_line(const struct conf_check *chk)
{
	return chk->s->line;
}

int
conf_check_is_set(const struct conf_check *chk, const char *key)
{
	return is_set_line(chk->s, key);
}

void
conf_check_oom(struct conf_check *chk)
{
	chk->p->oom = 1;
}

static void
check_sink(struct pctx *p, const struct sect *s)
{
	struct conf_sink *k = &p->c->sinks[s->idx];
	struct conf_check chk = { p, s };
	const char *req;
	char types[256];
	size_t i;
	int t = is_set_line(s, "type");

	if (!t) {
		sink_type_list(types, sizeof(types), NULL, " or ");
		errf(p, s->line, s->label, "type", "missing (required: %s)", types);
	} else {
		req = sink_type_required(k->type);
		if (req != NULL && !is_set_line(s, req) && sink_str(k, req) == NULL)
			errf(p, s->line, s->label, req, "missing (required for type %s)",
			    sink_type_name(k->type));
		/* A `path` on another type: parse_type_keys reports it (file's table). */
		if (k->url && !sink_type_uses_key(k->type, "url"))
			errf(p, line_or(s, "url"), s->label, "url",
			    "is not used by type %s", sink_type_name(k->type));
	}
	for (i = 0; i < k->sources.n; i++)
		if (!conf_find_source(p->c, k->sources.items[i]))
			errf(p, line_or(s, "sources"), s->label, "sources",
			    "%s is not a defined [source %s]", quote(k->sources.items[i]).s,
			    k->sources.items[i]);
	if (k->retry_max_delay_ms < k->retry_initial_ms)
		errf(p, line_or(s, "retry_max_delay"), s->label, "retry_max_delay",
		    "is shorter than retry_initial");
	if (k->queue_max_events < k->batch_max_events)
		errf(p, line_or(s, "queue_max_events"), s->label, "queue_max_events",
		    "is smaller than batch_max_events");
	if (k->queue_max_bytes < k->batch_max_bytes)
		errf(p, line_or(s, "queue_max_bytes"), s->label, "queue_max_bytes",
		    "is smaller than batch_max_bytes");
	if (k->username && !k->password)
		errf(p, line_or(s, "username"), s->label, "username",
		    "given without password (or password_file)");
	if (k->password && !k->username)
		errf(p, line_or(s, "password"), s->label, "password",
		    "given without username");
	/* Also without `type` (then http, the default), as before the registry. */
	sink_type_check(k, &chk);
}

/* Fills the defaults that depend on other keys; 0 or -1 (OOM). */
static int
fill_derived(struct pctx *p)
{
	struct conf *c = p->c;
	size_t i;

	for (i = 0; i < p->nsects; i++) {
		const struct sect *s = &p->sects[i];
		struct conf_sink *k;

		if (s->kind != SK_SINK)
			continue;
		k = &c->sinks[s->idx];
		if (!is_set_line(s, "rate_burst")) {
			double b = ceil(k->rate_limit);
			k->rate_burst = b < 1 ? 1 : b > 1000000 ? 1000000 : (int)b;
		}
		if (sink_type_defaults(k, &(struct conf_check){ p, s }) != 0)
			return -1;
		if (!k->dead_letter && c->daemon.state_dir &&
		    !(k->dead_letter = strfmt("%s/dead-letter-%s.ndjson", c->daemon.state_dir,
			  k->name)))
			return -1;
	}
	return 0;
}

static int
daemon_oci_defaults(struct conf *c)
{
	const char *sd = getenv("STATE_DIRECTORY");
	size_t n;

	/* systemd passes a ':'-separated list when several StateDirectory= are set. */
	if (sd && sd[0] == '/') {
		n = strcspn(sd, ":");
		if (!(c->daemon.state_dir = strndup(sd, n)))
			return -1;
	} else if (!(c->daemon.state_dir = strdup(CONF_DEFAULT_STATE_DIR))) {
		return -1;
	}
	c->daemon.log_level = LOG_LVL_INFO;
	c->daemon.stats_interval_ms = 60 * 1000;
	c->daemon.shutdown_timeout_ms = 30 * 1000;
	c->oci.auth = CONF_AUTH_API_KEY;
	if (!(c->oci.config_file = strdup("~/.oci/config")) ||
	    !(c->oci.profile = strdup("DEFAULT")))
		return -1;
	return 0;
}

static void
expand_home(struct pctx *p)
{
	struct conf *c = p->c;
	const char *home = getenv("HOME");
	char *n;
	int line = 0;
	size_t i;

	if (!c->oci.config_file || strncmp(c->oci.config_file, "~/", 2) != 0)
		return;
	for (i = 0; i < p->nsects; i++)
		if (p->sects[i].kind == SK_OCI)
			line = keyline(&p->sects[i], "config_file");
	if (!home || !*home) {
		/* Only instance principals do not read the file; don't fail them. */
		if (c->oci.auth != CONF_AUTH_INSTANCE_PRINCIPAL)
			errf(p, line, "oci", "config_file",
			    "%s starts with ~ but $HOME is not set", quote(c->oci.config_file).s);
		return;
	}
	if (!(n = strfmt("%s%s%s", home, home[strlen(home) - 1] == '/' ? "" : "/",
		  c->oci.config_file + 2))) {
		p->oom = 1;
		return;
	}
	set_str(&c->oci.config_file, n);
}

static int
read_file(struct pctx *p, char **out, size_t *len)
{
	FILE *f;
	char *data = NULL, why[128];
	size_t n = 0, cap = 0, r;
	struct stat st;
	int fd;

	if ((fd = open_regular(p->path, &st, why, sizeof(why))) < 0) {
		errf(p, 0, NULL, NULL, "cannot open: %s", why);
		return -1;
	}
	if (!(f = fdopen(fd, "r"))) {
		errf(p, 0, NULL, NULL, "cannot open: %s", strerror(errno));
		close(fd);
		return -1;
	}
	for (;;) {
		if (n == cap) {
			char *g;
			if (cap >= CONF_MAX_FILE) {
				errf(p, 0, NULL, NULL, "larger than %d bytes", CONF_MAX_FILE);
				goto fail;
			}
			cap = cap ? cap * 2 : 16384;
			if (!(g = realloc(data, cap + 1))) {
				p->oom = 1;
				goto fail;
			}
			data = g;
		}
		r = fread(data + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				errf(p, 0, NULL, NULL, "cannot read: %s", strerror(errno));
				goto fail;
			}
			break;
		}
	}
	fclose(f);
	if (!data && !(data = malloc(1))) {
		p->oom = 1;
		return -1;
	}
	data[n] = '\0';
	*out = data;
	*len = n;
	return 0;
fail:
	fclose(f);
	free(data);
	return -1;
}

struct conf *
conf_load(const char *path, struct conf_err *err)
{
	struct pctx p;
	struct conf *c = NULL;
	char *data = NULL;
	size_t len = 0, i;
	int rc, have_src = 0, have_sink = 0;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.cur = -1;
	if (err)
		memset(err, 0, sizeof(*err));
	if (!(c = calloc(1, sizeof(*c))) || !(c->path = strdup(path)) ||
	    daemon_oci_defaults(c) < 0) {
		p.oom = 1;
		goto done;
	}
	p.c = c;
	if (read_file(&p, &data, &len) < 0)
		goto done;
	p.data = data;
	p.len = len;
	/*
	 * Debian's libinih makes the line buffer size a run-time setting (default 200, too
	 * short for real queries); upstream has it at compile time.  Our reader refuses
	 * longer lines with a message, whatever the size.
	 */
	ini_max_line = CONF_MAX_LINE;
	rc = ini_parse_stream(reader, &p, handler, &p);
	if (rc != 0 && !p.nerr && !p.oom)
		errf(&p, rc > 0 ? rc : 0, NULL, NULL, "cannot parse (inih error %d)", rc);
	if (p.oom)
		goto done;
	for (i = 0; i < p.nsects && !p.oom; i++)
		if (p.sects[i].kind == SK_SINK)
			parse_type_keys(&p, &p.sects[i]);
	if (p.oom)
		goto done;
	expand_home(&p);
	for (i = 0; i < p.nsects; i++) {
		if (p.sects[i].kind == SK_SOURCE) {
			have_src = 1;
			check_source(&p, &p.sects[i]);
		} else if (p.sects[i].kind == SK_SINK) {
			have_sink = 1;
		}
	}
	if (fill_derived(&p) < 0) {
		p.oom = 1;
		goto done;
	}
	for (i = 0; i < p.nsects; i++)
		if (p.sects[i].kind == SK_SINK)
			check_sink(&p, &p.sects[i]);
	if (!have_src && !p.nerr)
		errf(&p, 0, NULL, NULL, "no [source NAME] section: at least one is required");
	else if (!have_src)
		errf(&p, 0, NULL, NULL, "no valid [source NAME] section");
	if (!have_sink && !p.nerr)
		errf(&p, 0, NULL, NULL, "no [sink NAME] section: at least one is required");
	else if (!have_sink)
		errf(&p, 0, NULL, NULL, "no valid [sink NAME] section");
done:
	if (p.oom)
		errf(&p, 0, NULL, NULL, "out of memory");
	free(data);
	for (i = 0; i < p.nsects; i++)
		raw_free(&p.sects[i]);
	free(p.sects);
	if (p.nerr) {
		conf_free(c);
		c = NULL;
		errs_finish(&p, err);
	}
	return c;
}

/* ---------------------------------------------------------------- the system */

/* A folder the daemon writes into: it must exist, be a folder, and be writable. */
static void
check_folder(struct pctx *p, int line, const char *label, const char *key, const char *dir,
    int must_own)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		errf(p, line, label, key, "folder \"%s\": %s%s", dir, strerror(errno),
		    errno == ENOENT ? " (create it, or let systemd's StateDirectory= do it)" :
		    "");
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		errf(p, line, label, key, "\"%s\" is %s, not a folder", dir,
		    file_kind(st.st_mode));
		return;
	}
	/* Checkpoints are written as temporary files there: someone else's folder could
	 * hold a planted link, and the owner could swap our files. */
	if (must_own && st.st_uid != geteuid()) {
		errf(p, line, label, key,
		    "folder \"%s\" belongs to uid %u, not to the user the daemon runs as "
		    "(uid %u): run chown %u %s, or run the daemon as its owner", dir,
		    (unsigned)st.st_uid, (unsigned)geteuid(), (unsigned)geteuid(), dir);
		return;
	}
	if (access(dir, W_OK | X_OK) < 0)
		errf(p, line, label, key, "folder \"%s\" is not writable: %s", dir,
		    strerror(errno));
}

/* The folder a file the daemon creates lives in (checked as check_folder), unless it
 * is `skip` (a folder checked already) or, for the service, the unit's StateDirectory=
 * that systemd makes before start. */
static void
check_file_folder(struct pctx *p, int line, const char *label, const char *key,
    const char *path, const char *skip, int for_service)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir) {
		p->oom = 1;
		return;
	}
	if ((!skip || strcmp(dir, skip) != 0) &&
	    !(for_service && strcmp(dir, CONF_DEFAULT_STATE_DIR) == 0 && access(dir, F_OK) < 0))
		check_folder(p, line, label, key, dir, 0);
	free(dir);
}

int
conf_check_system(const struct conf *c, int for_service, struct conf_err *err)
{
	struct pctx p;
	struct stat st;

	memset(&p, 0, sizeof(p));
	p.path = c->path;
	if (err)
		memset(err, 0, sizeof(*err));
	if (c->daemon.state_dir && !(for_service &&
	    strcmp(c->daemon.state_dir, CONF_DEFAULT_STATE_DIR) == 0 &&
	    stat(c->daemon.state_dir, &st) < 0 && errno == ENOENT))
		check_folder(&p, 0, "daemon", "state_dir", c->daemon.state_dir, !for_service);
	for (size_t i = 0; i < c->n_sinks && !p.oom; i++) {
		const struct conf_sink *k = &c->sinks[i];
		char label[CONF_MAX_NAME + 16];
		/* A FIFO there would block start-up; the sink refuses it (safeopen.h). */
		const char *path = k->type == CONF_SINK_FILE ? sink_str(k, "path") : NULL;

		snprintf(label, sizeof(label), "sink %s", k->name);
		if (path != NULL)
			check_file_folder(&p, k->line, label, "path", path, c->daemon.state_dir,
			    for_service);
		if (path && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			errf(&p, k->line, label, "path", "\"%s\" is %s, not a file", path,
			    file_kind(st.st_mode));
		if (!k->dead_letter)
			continue;
		/* The default one lives in state_dir, checked above (or made by systemd). */
		check_file_folder(&p, k->line, label, "dead_letter", k->dead_letter,
		    c->daemon.state_dir, for_service);
		if (stat(k->dead_letter, &st) == 0 && !S_ISREG(st.st_mode))
			errf(&p, k->line, label, "dead_letter", "\"%s\" is %s, not a file",
			    k->dead_letter, file_kind(st.st_mode));
	}
	/* Reading it would block (a FIFO) or never end (/dev/zero). */
	if (c->oci.auth == CONF_AUTH_API_KEY && c->oci.config_file &&
	    stat(c->oci.config_file, &st) == 0 && !S_ISREG(st.st_mode))
		errf(&p, 0, "oci", "config_file", "\"%s\" is %s, not a regular file",
		    c->oci.config_file, file_kind(st.st_mode));
	if (p.oom)
		errf(&p, 0, NULL, NULL, "out of memory");
	if (p.nerr) {
		errs_finish(&p, err);
		return -1;
	}
	return 0;
}

static void
source_free(struct conf_source *s)
{
	free(s->name);
	free(s->query);
	free(s->stream.bootstrap_servers);
	conf_list_clear(&s->stream.topics);
	free(s->stream.group_id);
	free(s->stream.sasl_username);
	free_secret(s->stream.sasl_password);
	free(s->stream.sasl_password_file);
	free(s->stream.tls_ca_file);
	free(s->stream.region);
}

static void
sink_free(struct conf_sink *k)
{
	free(k->name);
	free(k->url);
	conf_list_clear(&k->sources);
	conf_list_clear(&k->headers);
	free_secret(k->api_key);
	free_secret(k->token);
	free_secret(k->password);
	free(k->api_key_file);
	free(k->token_file);
	free(k->password_file);
	free(k->username);
	free(k->dead_letter);
	free(k->tls_ca_file);
	if (k->type_conf != NULL) {
		conf_keys_free(sink_type_conf_keys(k->type), k->type_conf);
		free(k->type_conf);
	}
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (!c)
		return;
	free(c->path);
	free(c->daemon.state_dir);
	free(c->daemon.metrics_listen);
	free(c->oci.config_file);
	free(c->oci.profile);
	free(c->oci.region);
	free(c->oci.endpoint);
	free(c->oci.imds_url);
	free(c->oci.auth_url);
	for (i = 0; i < c->n_sources; i++)
		source_free(&c->sources[i]);
	free(c->sources);
	for (i = 0; i < c->n_sinks; i++)
		sink_free(&c->sinks[i]);
	free(c->sinks);
	free(c);
}

/* ---------------------------------------------------------------- lookups */

const struct conf_source *
conf_find_source(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; c && name && i < c->n_sources; i++)
		if (strcmp(c->sources[i].name, name) == 0)
			return &c->sources[i];
	return NULL;
}

const struct conf_sink *
conf_find_sink(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; c && name && i < c->n_sinks; i++)
		if (strcmp(c->sinks[i].name, name) == 0)
			return &c->sinks[i];
	return NULL;
}

int
conf_sink_wants(const struct conf_sink *k, const char *source_name)
{
	size_t i;

	if (k->sources.n == 0)
		return 1;
	for (i = 0; i < k->sources.n; i++)
		if (strcmp(k->sources.items[i], source_name) == 0)
			return 1;
	return 0;
}

