/* promtext.c — see promtext.h. */
#include "promtext.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int errf(char *err, size_t errlen, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
errf(char *err, size_t errlen, size_t line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (errlen == 0)
		return -1;
	n = snprintf(err, errlen, "line %zu: ", line);
	if (n > 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
is_name_start(char c, int colon_ok)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (colon_ok && c == ':');
}

static int
is_name_char(char c, int colon_ok)
{
	return is_name_start(c, colon_ok) || (c >= '0' && c <= '9');
}

static char *
skip_blanks(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * A float as Go's strconv.ParseFloat reads it in the exposition format: decimal or
 * exponent form, NaN, +Inf, -Inf.  strtod alone would also take hex and "infinity".
 */
static int
parse_value(const char *s, double *out)
{
	char *end;

	if (strcmp(s, "NaN") == 0) {
		*out = NAN;
		return 0;
	}
	if (strcmp(s, "+Inf") == 0 || strcmp(s, "Inf") == 0) {
		*out = INFINITY;
		return 0;
	}
	if (strcmp(s, "-Inf") == 0) {
		*out = -INFINITY;
		return 0;
	}
	for (const char *p = s; *p; p++)
		if (!strchr("0123456789+-.eE", *p))
			return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE)
		return -1;
	return 0;
}

/* One non-comment line, NUL-terminated and writable (label values unescape in place). */
static int
parse_sample(char *p, size_t lineno, promtext_sample_fn fn, void *arg, char *err,
    size_t errlen)
{
	struct promtext_label labels[PROMTEXT_MAX_LABELS];
	size_t n = 0;
	char *name = p, *val, *ts;
	double v;

	if (!is_name_start(*p, 1))
		return errf(err, errlen, lineno, "a metric name must start with a letter, _ or :");
	while (is_name_char(*p, 1))
		p++;
	if (*p == '{') {
		*p++ = '\0';
		for (;;) {
			char *lname, *w;
			p = skip_blanks(p);
			if (*p == '}')
				break;
			if (n == PROMTEXT_MAX_LABELS)
				return errf(err, errlen, lineno, "more than %d labels",
				    PROMTEXT_MAX_LABELS);
			if (!is_name_start(*p, 0))
				return errf(err, errlen, lineno, "bad label name");
			lname = p;
			while (is_name_char(*p, 0))
				p++;
			char *lend = p;
			p = skip_blanks(p);
			if (*p != '=')
				return errf(err, errlen, lineno, "expected = after a label name");
			*lend = '\0';
			p = skip_blanks(p + 1);
			if (*p != '"')
				return errf(err, errlen, lineno, "expected \" to open a label value");
			labels[n].name = lname;
			labels[n].value = w = ++p;
			for (;;) {
				if (*p == '\0')
					return errf(err, errlen, lineno, "unterminated label value");
				if (*p == '"')
					break;
				if (*p == '\\') {
					p++;
					if (*p == 'n')
						*w++ = '\n';
					else if (*p == '\\' || *p == '"')
						*w++ = *p;
					else
						return errf(err, errlen, lineno,
						    "bad escape in a label value");
					p++;
					continue;
				}
				*w++ = *p++;
			}
			*w = '\0';
			p++;
			n++;
			p = skip_blanks(p);
			if (*p == ',') {
				p++;
				continue;
			}
			if (*p == '}')
				break;
			return errf(err, errlen, lineno, "expected , or } after a label value");
		}
		p++;
	} else if (*p == ' ' || *p == '\t') {
		*p++ = '\0';
	} else if (*p == '\0') {
		return errf(err, errlen, lineno, "a sample without a value");
	} else {
		return errf(err, errlen, lineno, "bad character in the metric name");
	}
	val = p = skip_blanks(p);
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (p == val)
		return errf(err, errlen, lineno, "a sample without a value");
	if (*p)
		*p++ = '\0';
	if (parse_value(val, &v) < 0)
		return errf(err, errlen, lineno, "\"%.40s\" is not a number", val);
	ts = p = skip_blanks(p);
	if (*ts) {
		if (*p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return errf(err, errlen, lineno, "bad timestamp");
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p != '\0' && *p != ' ' && *p != '\t')
			return errf(err, errlen, lineno, "bad timestamp");
		if (*skip_blanks(p) != '\0')
			return errf(err, errlen, lineno, "text after the timestamp");
	}
	if (fn != NULL && fn(arg, name, labels, n, v) != 0)
		return errf(err, errlen, lineno, "stopped");
	return 0;
}

long
promtext_parse(const char *text, size_t len, promtext_sample_fn fn, void *arg, char *err,
    size_t errlen)
{
	char *line = NULL;
	size_t off = 0, lineno = 0;
	long samples = 0;

	if (errlen > 0)
		err[0] = '\0';
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (text + off)) : len - off;
		char *p;

		lineno++;
		if (l > PROMTEXT_MAX_LINE) {
			errf(err, errlen, lineno, "longer than %d bytes", PROMTEXT_MAX_LINE);
			goto fail;
		}
		if (memchr(text + off, '\0', l) != NULL) {
			errf(err, errlen, lineno, "a NUL byte (not a text page)");
			goto fail;
		}
		if (line == NULL && !(line = malloc(PROMTEXT_MAX_LINE + 1))) {
			errf(err, errlen, lineno, "out of memory");
			goto fail;
		}
		memcpy(line, text + off, l);
		off += l + (nl ? 1 : 0);
		if (l > 0 && line[l - 1] == '\r') /* tolerate CRLF */
			l--;
		line[l] = '\0';
		p = skip_blanks(line);
		if (*p == '\0' || *p == '#')
			continue;
		if (parse_sample(p, lineno, fn, arg, err, errlen) < 0)
			goto fail;
		samples++;
	}
	free(line);
	return samples;
fail:
	free(line);
	return -1;
}

const char *
promtext_label(const struct promtext_label *labels, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(labels[i].name, name) == 0)
			return labels[i].value;
	return NULL;
}
