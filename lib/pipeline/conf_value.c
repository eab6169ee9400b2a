/*
 * conf_value.c — value parsers and formatters of the configuration (conf.h, conf_impl.h):
 * durations, sizes, booleans, times, names, host:port, URLs, headers, lists.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf_impl.h"
#include "timeutil.h"

/* ---------------------------------------------------------------- value parsers */

static int
parse_u64_prefix(const char **pp, int64_t *out)
{
	const char *p = *pp;
	int64_t n = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (INT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	*pp = p;
	*out = n;
	return 0;
}

int
conf_parse_duration(const char *s, int64_t *ms)
{
	static const struct {
		const char *u;
		int64_t mul;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 } };
	const char *p = s;
	int64_t total = 0, n, mul;
	size_t i, ul;
	int parts = 0;

	if (!s || !*s)
		return -1;
	/* "1h30m" is accepted; a bare number alone means seconds. */
	while (*p) {
		if (parse_u64_prefix(&p, &n) < 0)
			return -1;
		if (*p == ' ' && *++p == '\0')
			return -1; /* "30 " */
		if (!*p && parts == 0) {
			mul = 1000;
		} else {
			mul = 0;
			ul = 0;
			for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
				size_t l = strlen(units[i].u);
				/* "m" must not swallow the "m" of "ms": longest match wins. */
				if (strncmp(p, units[i].u, l) == 0 && l > ul &&
				    !isalpha((unsigned char)p[l])) {
					mul = units[i].mul;
					ul = l;
				}
			}
			if (!mul)
				return -1;
			p += ul;
		}
		if (n > INT64_MAX / mul || total > INT64_MAX - n * mul)
			return -1;
		total += n * mul;
		parts++;
	}
	*ms = total;
	return 0;
}

int
conf_parse_size(const char *s, int64_t *bytes)
{
	static const struct {
		const char *u;
		int64_t mul;
	} units[] = { { "", 1 }, { "B", 1 }, { "KiB", 1024 }, { "MiB", 1024 * 1024 },
		{ "GiB", 1024LL * 1024 * 1024 }, { "KB", 1000 }, { "MB", 1000 * 1000 },
		{ "GB", 1000LL * 1000 * 1000 } };
	const char *p = s;
	int64_t n;
	size_t i;

	if (!s || parse_u64_prefix(&p, &n) < 0)
		return -1;
	if (*p == ' ' && *++p == '\0')
		return -1; /* "1 " */
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].u) == 0) {
			if (n > INT64_MAX / units[i].mul)
				return -1;
			*bytes = n * units[i].mul;
			return 0;
		}
	}
	return -1;
}

int
conf_parse_bool(const char *s, int *out)
{
	static const char *const t[] = { "true", "yes", "on", "1" };
	static const char *const f[] = { "false", "no", "off", "0" };
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, t[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, f[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int
conf_parse_rfc3339(const char *s, int64_t *ms)
{
	return timeutil_parse_rfc3339_ms(s, ms);
}

int
conf_parse_time(const char *s, int *relative, int64_t *ms)
{
	int64_t v;

	if (!s)
		return -1;
	if (strcmp(s, "now") == 0) {
		*relative = 1;
		*ms = 0;
		return 0;
	}
	if (s[0] == '-') {
		if (conf_parse_duration(s + 1, &v) < 0)
			return -1;
		*relative = 1;
		*ms = -v;
		return 0;
	}
	if (conf_parse_rfc3339(s, &v) < 0)
		return -1;
	*relative = 0;
	*ms = v;
	return 0;
}

int
conf_parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int
conf_valid_name(const char *s)
{
	size_t i;

	if (!s[0] || s[0] == '.' || strlen(s) > CONF_MAX_NAME)
		return 0;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return 0;
	return 1;
}

int
conf_valid_hostport(const char *s)
{
	const char *colon = strrchr(s, ':');
	int64_t port;

	if (!colon || colon == s)
		return 0;
	if (s[0] == '[' && colon[-1] != ']')
		return 0;
	if (conf_parse_i64(colon + 1, &port) < 0 || port < 0 || port > 65535)
		return 0;
	return 1;
}

/* 1 when s holds a space, a control character or DEL: curl would send it as is. */
int
conf_has_space_or_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

int
conf_valid_url(const char *s)
{
	if (strncasecmp(s, "http://", 7) == 0)
		return s[7] != '\0';
	if (strncasecmp(s, "https://", 8) == 0)
		return s[8] != '\0';
	return 0;
}

/* RFC 9110 token characters, for header names. */
int
conf_valid_header(const char *s)
{
	const char *p = s;

	while (*p && (isalnum((unsigned char)*p) || strchr("!#$%&'*+-.^_`|~", *p)))
		p++;
	return p > s && *p == ':';
}

/* ---------------------------------------------------------------- lists */

void
conf_list_clear(struct conf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

int
conf_list_push(struct conf_list *l, const char *s, size_t n)
{
	char **items;
	char *copy;

	if (!(copy = strndup(s, n)))
		return -1;
	if (!(items = realloc(l->items, (l->n + 1) * sizeof(*items)))) {
		free(copy);
		return -1;
	}
	l->items = items;
	l->items[l->n++] = copy;
	return 0;
}

/* Splits "a, b,c" into l (replacing it).  -1 on OOM, -2 on an empty item. */
int
conf_list_parse(struct conf_list *l, const char *v)
{
	struct conf_list tmp = { NULL, 0 };
	const char *p = v, *e, *b;

	if (!*v) {
		conf_list_clear(l);
		return 0;
	}
	for (;;) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		b = p;
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e == b) {
			conf_list_clear(&tmp);
			return -2;
		}
		if (conf_list_push(&tmp, b, (size_t)(e - b)) < 0) {
			conf_list_clear(&tmp);
			return -1;
		}
		p = strchr(b, ',');
		if (!p)
			break;
		p++;
	}
	conf_list_clear(l);
	*l = tmp;
	return 0;
}

int
conf_list_add(struct conf_list *l, const char *s)
{
	return conf_list_push(l, s, strlen(s));
}

/* ---------------------------------------------------------------- formatters */


char *
conf_format_duration(int64_t ms, char *out, size_t outsz)
{
	static const struct {
		const char *u;
		int64_t mul;
	} units[] = { { "d", 86400000 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 } };
	size_t i;
	const char *sign = "";

	if (ms < 0) {
		sign = "-";
		ms = ms == INT64_MIN ? INT64_MAX : -ms;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ms != 0 && ms % units[i].mul == 0) {
			snprintf(out, outsz, "%s%lld%s", sign, (long long)(ms / units[i].mul),
			    units[i].u);
			return out;
		}
	}
	if (ms == 0)
		snprintf(out, outsz, "0s");
	else
		snprintf(out, outsz, "%s%lldms", sign, (long long)ms);
	return out;
}

char *
conf_format_size(int64_t bytes, char *out, size_t outsz)
{
	static const struct {
		const char *u;
		int64_t mul;
	} units[] = { { "GiB", 1024LL * 1024 * 1024 }, { "MiB", 1024 * 1024 },
		{ "KiB", 1024 }, { "GB", 1000LL * 1000 * 1000 }, { "MB", 1000 * 1000 },
		{ "KB", 1000 } };
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (bytes != 0 && bytes % units[i].mul == 0) {
			snprintf(out, outsz, "%lld%s", (long long)(bytes / units[i].mul),
			    units[i].u);
			return out;
		}
	}
	snprintf(out, outsz, "%lldB", (long long)bytes);
	return out;
}

char *
conf_format_rfc3339(int64_t ms, char *out, size_t outsz)
{
	char t[TIMEUTIL_RFC3339_SIZE];

	snprintf(out, outsz, "%s",
	    timeutil_format_rfc3339(ms, TIMEUTIL_MS_IF_ANY, t) > 0 ? t : "?");
	return out;
}
