/*
 * sink_loki.c — Grafana Loki push API, JSON form: POST /loki/api/v1/push,
 * {"streams":[{"stream":{labels},"values":[["<ns as string>","<line>"],...]},...]}, each
 * line the event's JSON as a string.  Streams are grouped by a few low-cardinality
 * labels: `labels` entries are "name=value" (static) or "kind" / "source" (from the
 * event); default source=oci, kind.  `tenant` goes in X-Scope-OrgID.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink_impl.h"

/* Loki's default ingestion_rate_mb is 4 (burst 6): keep one push within it. */
#define LOKI_MAX_BODY (4u << 20)
#define LOKI_MAX_LABELS 15

enum lbl_src { LBL_STATIC, LBL_KIND, LBL_SOURCE };

struct label {
	char *name;
	char *value; /* LBL_STATIC */
	enum lbl_src src;
};

struct loki {
	struct label l[LOKI_MAX_LABELS];
	size_t n;
};

static int
valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (n >= 2 && s[0] == '_' && s[1] == '_'))
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		    (i > 0 && c >= '0' && c <= '9');
		if (!ok)
			return 0;
	}
	return 1;
}

static int
add_label(struct loki *lk, const char *spec, struct sink_err *err)
{
	const char *eq = strchr(spec, '=');
	size_t nl = eq ? (size_t)(eq - spec) : strlen(spec);
	struct label *l;

	while (nl > 0 && spec[nl - 1] == ' ')
		nl--;
	if (lk->n >= LOKI_MAX_LABELS) {
		snprintf(err->msg, sizeof(err->msg), "labels: at most %d", LOKI_MAX_LABELS);
		return -1;
	}
	if (!valid_name(spec, nl)) {
		snprintf(err->msg, sizeof(err->msg),
		    "labels: \"%s\": a name must match [a-zA-Z_][a-zA-Z0-9_]* (no __ prefix)", spec);
		return -1;
	}
	l = &lk->l[lk->n];
	l->name = strndup(spec, nl);
	if (l->name == NULL)
		goto oom;
	if (eq != NULL) {
		const char *v = eq + 1;
		while (*v == ' ')
			v++;
		l->src = LBL_STATIC;
		if ((l->value = strdup(v)) == NULL) {
			free(l->name);
			goto oom;
		}
	} else if (strcmp(l->name, "kind") == 0) {
		l->src = LBL_KIND;
	} else if (strcmp(l->name, "source") == 0) {
		l->src = LBL_SOURCE;
	} else {
		snprintf(err->msg, sizeof(err->msg),
		    "labels: \"%s\": use name=value, or kind / source (taken from the event)",
		    spec);
		free(l->name);
		return -1;
	}
	lk->n++;
	return 0;
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

static void
loki_fini(struct sink *s)
{
	struct loki *lk = sink_common(s)->priv;
	size_t i;

	if (lk == NULL)
		return;
	for (i = 0; i < lk->n; i++) {
		free(lk->l[i].name);
		free(lk->l[i].value);
	}
	free(lk);
	sink_common(s)->priv = NULL;
}

static int
loki_init(struct sink *s, struct sink_err *err)
{
	struct sink_common *c = sink_common(s);
	const struct conf_sink *cfg = c->cfg;
	struct loki *lk;
	size_t i;

	if (sink_set_url(c, cfg->url, "/loki/api/v1/push", err) != 0)
		return -1;
	lk = calloc(1, sizeof(*lk));
	if (lk == NULL)
		goto oom;
	c->priv = lk;
	if (cfg->labels.n == 0) {
		if (add_label(lk, "source=oci", err) != 0 || add_label(lk, "kind", err) != 0)
			return -1;
	}
	for (i = 0; i < cfg->labels.n; i++)
		if (add_label(lk, cfg->labels.items[i], err) != 0)
			return -1;
	if (c->lim_bytes > LOKI_MAX_BODY)
		c->lim_bytes = LOKI_MAX_BODY;
	c->per_item_overhead = 1;
	c->body_overhead = 64;
	if (sink_add_header(c, "Content-Type: application/json") != 0)
		goto oom;
	if (cfg->tenant != NULL &&
	    sink_add_header(c, "X-Scope-OrgID: %s", cfg->tenant) != 0)
		goto oom;
	if (cfg->token != NULL &&
	    sink_add_header(c, "Authorization: Bearer %s", cfg->token) != 0)
		goto oom;
	if (cfg->token == NULL && cfg->username != NULL &&
	    sink_add_basic_auth(c, cfg->username, cfg->password) != 0)
		goto oom;
	return sink_add_config_headers(c, err);
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

static int
loki_encode(struct sink *s, const struct sink_doc *doc, struct buf *out,
    struct sink_err *err)
{
	if (buf_printf(out, "[\"%lld\",", (long long)(doc->time_ns > 0 ? doc->time_ns : 0)) != 0 ||
	    buf_append_json_string(out, doc->json, doc->len) != 0 ||
	    buf_append_char(out, ']') != 0) {
		snprintf(err->msg, sizeof(err->msg), "out of memory encoding the event");
		return -1;
	}
	return 0;
}

static int
labels_json(const struct loki *lk, const struct sink_event *ev, struct buf *out)
{
	size_t i;

	if (buf_append_char(out, '{') != 0)
		return -1;
	for (i = 0; i < lk->n; i++) {
		const char *v = lk->l[i].src == LBL_STATIC ? lk->l[i].value :
		    lk->l[i].src == LBL_KIND ? sink_kind_name(ev->kind) : ev->source;
		if ((i > 0 && buf_append_char(out, ',') != 0) ||
		    buf_append_json_string(out, lk->l[i].name, strlen(lk->l[i].name)) != 0 ||
		    buf_append_char(out, ':') != 0 ||
		    buf_append_json_string(out, v, strlen(v)) != 0)
			return -1;
	}
	return buf_append_char(out, '}');
}

struct stream {
	char *labels;
	struct buf values;
};

static int
loki_assemble(struct sink *s, struct sink_event *const *evs, size_t n, struct buf *out)
{
	const struct loki *lk = sink_common(s)->priv;
	struct stream *st = calloc(n, sizeof(*st));
	size_t ns = 0, i, j;
	struct buf key;
	int rc = -1;

	buf_init(&key, 0);
	if (st == NULL)
		return -1;
	/* Few distinct label sets (low cardinality by design): a linear search is fine. */
	for (i = 0; i < n; i++) {
		buf_reset(&key);
		if (labels_json(lk, evs[i], &key) != 0)
			goto done;
		for (j = 0; j < ns && strcmp(st[j].labels, key.data) != 0; j++)
			;
		if (j == ns) {
			buf_init(&st[ns].values, 0);
			st[ns].labels = strdup(key.data);
			if (st[ns++].labels == NULL)
				goto done;
		} else if (buf_append_char(&st[j].values, ',') != 0) {
			goto done;
		}
		if (buf_append(&st[j].values, evs[i]->item, evs[i]->item_len) != 0)
			goto done;
	}
	if (buf_append_str(out, "{\"streams\":[") != 0)
		goto done;
	for (j = 0; j < ns; j++)
		if (buf_printf(out, "%s{\"stream\":%s,\"values\":[", j ? "," : "",
		        st[j].labels) != 0 ||
		    buf_append(out, st[j].values.data, st[j].values.len) != 0 ||
		    buf_append_str(out, "]}") != 0)
			goto done;
	rc = buf_append_str(out, "]}");
done:
	for (j = 0; j < ns; j++) {
		free(st[j].labels);
		buf_cleanup(&st[j].values);
	}
	free(st);
	buf_cleanup(&key);
	return rc;
}

const struct sink_ops sink_loki_ops = {
	.type = "loki",
	.init = loki_init,
	.fini = loki_fini,
	.encode_item = loki_encode,
	.assemble = loki_assemble,
};
