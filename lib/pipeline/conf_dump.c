/*
 * conf_dump.c — the effective configuration as -t prints it (conf_dump), and the masking
 * of secrets in URLs and text for everything the daemon prints (conf.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "conf_impl.h"
#include "log.h"
#include "sink_registry.h"

/* Header or query-parameter names whose values are credentials. */
static int
sensitive_name(const char *s, size_t n)
{
	static const char *const words[] = { "auth", "key", "token", "secret", "pass",
		"cookie", "session", "signature", "credential" };
	size_t i, j, wl;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		wl = strlen(words[i]);
		for (j = 0; j + wl <= n; j++)
			if (strncasecmp(s + j, words[i], wl) == 0)
				return 1;
	}
	return 0;
}

/* Appends to b the URL u[0..n) with the password of its userinfo and credential-like
 * query values masked. */
static void
mask_url_n(struct buf *b, const char *u, size_t n)
{
	const char *end = u + n;
	const char *scheme = NULL;
	const char *host;
	const char *pathstart;
	const char *at, *q, *p, *amp, *eq;

	for (const char *c = u; c + 3 <= end && !scheme; c++)
		if (memcmp(c, "://", 3) == 0)
			scheme = c;
	host = scheme ? scheme + 3 : u;
	pathstart = host;
	while (pathstart < end && !strchr("/?#", *pathstart))
		pathstart++;
	at = memchr(host, '@', (size_t)(pathstart - host));
	if (at) {
		const char *colon = memchr(host, ':', (size_t)(at - host));
		buf_append(b, u, (size_t)(host - u));
		if (colon) {
			buf_append(b, host, (size_t)(colon - host));
			buf_append_str(b, ":***");
		} else {
			buf_append(b, host, (size_t)(at - host));
		}
		u = at;
	}
	q = memchr(u, '?', (size_t)(end - u));
	if (!q) {
		buf_append(b, u, (size_t)(end - u));
		return;
	}
	buf_append(b, u, (size_t)(q + 1 - u));
	for (p = q + 1; p < end; p = amp < end ? amp + 1 : amp) {
		amp = p;
		while (amp < end && *amp != '&' && *amp != '#')
			amp++;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq && sensitive_name(p, (size_t)(eq - p))) {
			buf_append(b, p, (size_t)(eq - p));
			buf_append_str(b, "=***");
		} else {
			buf_append(b, p, (size_t)(amp - p));
		}
		if (amp < end && *amp == '#') {
			buf_append(b, amp, (size_t)(end - amp));
			return;
		}
		if (amp < end)
			buf_append_char(b, '&');
	}
}

char *
conf_mask_url_buf(const char *url, char *out, size_t outsz)
{
	struct buf b;

	if (outsz == 0)
		return out;
	out[0] = '\0';
	if (!*url)
		return out;
	buf_init(&b, CONF_MAX_VALUE * 2);
	mask_url_n(&b, url, strlen(url));
	/* Out of memory: say nothing rather than the unmasked URL. */
	snprintf(out, outsz, "%s", b.data ? b.data : "(URL)");
	buf_cleanup(&b);
	return out;
}

char *
conf_mask_text(const char *text, char *out, size_t outsz)
{
	struct buf b;
	const char *t = text;

	if (outsz == 0)
		return out;
	out[0] = '\0';
	if (!*text)
		return out;
	buf_init(&b, CONF_MAX_VALUE * 4);
	while (*t) {
		const char *u = t;
		size_t n;
		while (*u && strncasecmp(u, "http://", 7) != 0 && strncasecmp(u, "https://", 8) != 0)
			u++;
		buf_append(&b, t, (size_t)(u - t));
		if (!*u)
			break;
		/* A URL ends at white space, a quote or an angle bracket. */
		n = strcspn(u, " \t\r\n\"'<>");
		mask_url_n(&b, u, n);
		t = u + n;
	}
	snprintf(out, outsz, "%s", b.data ? b.data : "(text with a URL)");
	buf_cleanup(&b);
	return out;
}

static void
dump_url(FILE *out, const char *u)
{
	char m[CONF_MAX_LINE * 2];

	fputs(conf_mask_url_buf(u, m, sizeof(m)), out);
}

char *
conf_mask_url(const char *url)
{
	struct buf b;
	char *s;
	size_t n;

	if (url == NULL)
		return NULL;
	buf_init(&b, CONF_MAX_VALUE * 2);
	mask_url_n(&b, url, strlen(url));
	if (b.data == NULL) /* an empty URL, or out of memory */
		return *url ? NULL : strdup("");
	s = buf_steal(&b, &n);
	return s;
}

int
conf_sensitive_name(const char *name, size_t len)
{
	return sensitive_name(name, len);
}

static void
dump_header(FILE *out, const char *h)
{
	size_t n = strcspn(h, ":");

	if (sensitive_name(h, n))
		fprintf(out, "header = %.*s: ***\n", (int)n, h);
	else
		fprintf(out, "header = %s\n", h);
}

/*
 * Which TY keys the section's type reads (-t shows the others only when set): base is the
 * section's struct.  A section kind with types (today [sink]) has one; NULL = all keys.
 */
typedef int (*uses_fn)(const void *base, const char *key);

static int
sink_uses(const void *base, const char *key)
{
	return sink_type_uses_key(((const struct conf_sink *)base)->type, key);
}

/* [source]: the streaming keys (TY) are read by streaming sources only. */
static int
source_uses(const void *base, const char *key)
{
	return ((const struct conf_source *)base)->type == CONF_SOURCE_STREAMING;
}

/* 1 when conf_dump leaves key k out while unset: a key only other types read. */
static int
not_for(const struct key *k, const void *base, uses_fn uses)
{
	return uses != NULL && k->types && !uses(base, k->name);
}

static void
dump_keys(FILE *out, const struct key *keys, const void *base, uses_fn uses)
{
	const char *b = base;
	char tmp[64];
	size_t i, j;

	for (i = 0; keys[i].name; i++) {
		const struct key *k = &keys[i];
		const void *slot = b + k->off;
		const char *sv = NULL;
		const struct conf_list *l;

		switch (k->type) {
		case V_STR:
		case V_REQSTR:
		case V_PATH:
		case V_ABSPATH:
		case V_HOSTPORT:
			sv = *(char *const *)slot;
			if (!sv && not_for(k, base, uses))
				break;
			if (sv)
				fprintf(out, "%s = %s\n", k->name, sv);
			else
				fprintf(out, "%s =\n", k->name);
			break;
		case V_URL:
			sv = *(char *const *)slot;
			if (!sv && not_for(k, base, uses))
				break;
			fprintf(out, "%s =%s", k->name, sv ? " " : "");
			if (sv)
				dump_url(out, sv);
			fputc('\n', out);
			break;
		case V_SECRET: {
			const char *file = *(char *const *)(const void *)(b + k->file_off);
			sv = *(char *const *)slot;
			if (!sv && not_for(k, base, uses))
				break;
			if (file)
				fprintf(out, "; %s read from %s_file = %s\n", k->name, k->name, file);
			fprintf(out, "%s =%s\n", k->name, sv ? " ***" : "");
			break;
		}
		case V_DUR:
			fprintf(out, "%s = %s\n", k->name,
			    conf_format_duration(*(const int64_t *)slot, tmp, sizeof(tmp)));
			break;
		case V_SIZE:
			fprintf(out, "%s = %s\n", k->name,
			    conf_format_size(*(const int64_t *)slot, tmp, sizeof(tmp)));
			break;
		case V_BOOL:
			if (not_for(k, base, uses))
				break;
			fprintf(out, "%s = %s\n", k->name, *(const int *)slot ? "true" : "false");
			break;
		case V_INT:
			fprintf(out, "%s = %d\n", k->name, *(const int *)slot);
			break;
		case V_I64:
			fprintf(out, "%s = %lld\n", k->name, (long long)*(const int64_t *)slot);
			break;
		case V_DOUBLE:
			fprintf(out, "%s = %g\n", k->name, *(const double *)slot);
			break;
		case V_ENUM:
			if (*(const int *)slot == 0 && not_for(k, base, uses))
				break;
			fprintf(out, "%s = %s\n", k->name, k->enums[*(const int *)slot]);
			break;
		case V_SINKTYPE:
			fprintf(out, "%s = %s\n", k->name,
			    sink_type_name((enum conf_sink_type) * (const int *)slot));
			break;
		case V_LOGLEVEL:
			fprintf(out, "%s = %s\n", k->name,
			    log_level_name((enum log_level) * (const int *)slot));
			break;
		case V_TIME: {
			const struct conf_source *src = base;
			if (src->type == CONF_SOURCE_STREAMING)
				fprintf(out, "%s = %s\n", k->name,
				    src->stream.start_latest ? "latest" : "earliest");
			else if (src->start_is_relative)
				fprintf(out, "%s = %s\n", k->name,
				    src->start_ms == 0 ? "now" :
				    conf_format_duration(src->start_ms, tmp, sizeof(tmp)));
			else
				fprintf(out, "%s = %s\n", k->name,
				    conf_format_rfc3339(src->start_ms, tmp, sizeof(tmp)));
			break;
		}
		case V_LIST:
			l = slot;
			if (!l->n && not_for(k, base, uses))
				break;
			fprintf(out, "%s =", k->name);
			for (j = 0; j < l->n; j++)
				fprintf(out, "%s%s", j ? "," : " ", l->items[j]);
			fputc('\n', out);
			break;
		case V_HEADER:
			l = slot;
			for (j = 0; j < l->n; j++)
				dump_header(out, l->items[j]);
			break;
		case V_TYPEKEYS: {
			/* Every key of the type's own table, set or not (it reads them all). */
			const struct conf_sink *k2 = base;
			const struct key *tk = sink_type_conf_keys(k2->type);
			if (tk == NULL || k2->type_conf == NULL)
				break;
			for (j = 0; tk[j].name; j++)
				if (tk[j].types == k->types)
					dump_keys(out, (const struct key[]){ tk[j], { NULL, V_STR,
					    0, 0, 0, NULL, 0, 0 } }, k2->type_conf, NULL);
			break;
		}
		}
	}
}

void
conf_dump(const struct conf *c, FILE *out)
{
	size_t i;

	fprintf(out, "; effective configuration of %s (defaults filled in, secrets shown as ***)\n",
	    c->path);
	fprintf(out, "\n[daemon]\n");
	dump_keys(out, conf_daemon_keys, &c->daemon, NULL);
	fprintf(out, "\n[oci]\n");
	dump_keys(out, conf_oci_keys, &c->oci, NULL);
	for (i = 0; i < c->n_sources; i++) {
		fprintf(out, "\n[source %s]\n", c->sources[i].name);
		if (c->sources[i].sort_appended)
			fprintf(out, "; query: \"" CONF_SORT_SUFFIX "\" appended (the query had "
			    "no sort operator)\n");
		dump_keys(out, conf_source_keys, &c->sources[i], source_uses);
	}
	for (i = 0; i < c->n_sinks; i++) {
		fprintf(out, "\n[sink %s]\n", c->sinks[i].name);
		dump_keys(out, conf_sink_keys, &c->sinks[i], sink_uses);
	}
}
