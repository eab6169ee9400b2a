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
#include "sink_loki.h"

/* Loki's default ingestion_rate_mb is 4 (burst 6): keep one push within it. */
#define LOKI_MAX_BODY (4u << 20)
#define LOKI_MAX_LABELS 15

/* The type's own keys (struct sink_loki_conf; -t prints them in this order). */
static const struct key loki_conf_keys[] = {
	CONF_TYPE_KEY("tenant", V_STR, struct sink_loki_conf, tenant, 0, 0, NULL),
	CONF_TYPE_KEY("labels", V_LIST, struct sink_loki_conf, labels, 0, 0, NULL),
	CONF_TYPE_KEYS_END,
};

static const struct sink_loki_conf *
lkc(const struct conf_sink *cfg)
{
	static const struct sink_loki_conf none;

	return cfg->type_conf != NULL ? cfg->type_conf : &none;
}

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

/*
 * What is wrong with the n-th (0-based) label spec, written into why (for init and for
 * the check at load, so that -t finds it); 0 when it is good.  *nl: its name's length.
 */
static int
label_problem(const char *spec, size_t n, size_t *nl, char *why, size_t whylen)
{
	const char *eq = strchr(spec, '=');

	*nl = eq ? (size_t)(eq - spec) : strlen(spec);
	while (*nl > 0 && spec[*nl - 1] == ' ')
		(*nl)--;
	if (n >= LOKI_MAX_LABELS) {
		snprintf(why, whylen, "at most %d", LOKI_MAX_LABELS);
		return -1;
	}
	if (!valid_name(spec, *nl)) {
		snprintf(why, whylen,
		    "\"%s\": a name must match [a-zA-Z_][a-zA-Z0-9_]* (no __ prefix)", spec);
		return -1;
	}
	if (eq == NULL && !(*nl == 4 && memcmp(spec, "kind", 4) == 0) &&
	    !(*nl == 6 && memcmp(spec, "source", 6) == 0)) {
		snprintf(why, whylen,
		    "\"%s\": use name=value, or kind / source (taken from the event)", spec);
		return -1;
	}
	return 0;
}

static int
add_label(struct loki *lk, const char *spec, struct err *err)
{
	const char *eq = strchr(spec, '=');
	char why[400];
	size_t nl;
	struct label *l;

	if (label_problem(spec, lk->n, &nl, why, sizeof(why)) != 0) {
		snprintf(err->msg, sizeof(err->msg), "labels: %s", why);
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
	} else {
		/* label_problem let only these two through */
		l->src = strcmp(l->name, "kind") == 0 ? LBL_KIND : LBL_SOURCE;
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
loki_init(struct sink *s, struct err *err)
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
	if (lkc(cfg)->labels.n == 0) {
		if (add_label(lk, "source=oci", err) != 0 || add_label(lk, "kind", err) != 0)
			return -1;
	}
	for (i = 0; i < lkc(cfg)->labels.n; i++)
		if (add_label(lk, lkc(cfg)->labels.items[i], err) != 0)
			return -1;
	if (c->lim_bytes > LOKI_MAX_BODY)
		c->lim_bytes = LOKI_MAX_BODY;
	c->per_item_overhead = 1;
	c->body_overhead = 64;
	if (sink_add_header(c, "Content-Type: application/json") != 0)
		goto oom;
	if (lkc(cfg)->tenant != NULL &&
	    sink_add_header(c, "X-Scope-OrgID: %s", lkc(cfg)->tenant) != 0)
		goto oom;
	if (sink_add_auth(c, sink_loki_ops.auth) != 0)
		goto oom;
	return sink_add_config_headers(c, err);
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

static int
loki_encode(struct sink *s, const struct sink_doc *doc, struct buf *out,
    struct err *err)
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

/*
 * Events grouped by label set, in their order within each stream; the items are
 * referenced, not copied (sink_body.h).
 */
static int
loki_assemble(struct sink *s, struct sink_event *const *evs, size_t n,
    struct sink_body *body)
{
	const struct loki *lk = sink_common(s)->priv;
	struct buf *out = sink_body_glue(body);
	char **labels = calloc(n, sizeof(*labels));
	size_t *sid = calloc(n, sizeof(*sid));
	size_t ns = 0, i, j;
	struct buf key;
	int rc = -1, first;

	buf_init(&key, 0);
	if (labels == NULL || sid == NULL)
		goto done;
	/* Few distinct label sets (low cardinality by design): a linear search is fine. */
	for (i = 0; i < n; i++) {
		buf_reset(&key);
		if (labels_json(lk, evs[i], &key) != 0)
			goto done;
		for (j = 0; j < ns && strcmp(labels[j], key.data) != 0; j++)
			;
		if (j == ns && (labels[ns++] = strdup(key.data)) == NULL)
			goto done;
		sid[i] = j;
	}
	if (buf_append_str(out, "{\"streams\":[") != 0)
		goto done;
	for (j = 0; j < ns; j++) {
		if (buf_printf(out, "%s{\"stream\":%s,\"values\":[", j ? "," : "",
		        labels[j]) != 0)
			goto done;
		for (i = 0, first = 1; i < n; i++) {
			if (sid[i] != j)
				continue;
			if ((!first && buf_append_char(out, ',') != 0) ||
			    sink_body_ref(body, evs[i]->item, evs[i]->item_len) != 0)
				goto done;
			first = 0;
		}
		if (buf_append_str(out, "]}") != 0)
			goto done;
	}
	rc = buf_append_str(out, "]}");
done:
	if (labels != NULL)
		for (j = 0; j < ns; j++)
			free(labels[j]);
	free(labels);
	free(sid);
	buf_cleanup(&key);
	return rc;
}

/* Labels not given: the ones -t shows and init uses. */
static int
loki_defaults(struct conf_sink *cfg, struct conf_check *chk)
{
	struct sink_loki_conf *lc = cfg->type_conf;

	if (lc == NULL || conf_check_is_set(chk, "labels"))
		return 0;
	return conf_list_add(&lc->labels, "source=oci") != 0 ||
	    conf_list_add(&lc->labels, "kind") != 0 ? -1 : 0;
}

/* The labels init would refuse, found at load (and by -t). */
static void
loki_check(const struct conf_sink *cfg, struct conf_check *chk)
{
	char why[400];
	size_t nl;

	sink_check_token_or_basic(cfg, chk);
	for (size_t i = 0; i < lkc(cfg)->labels.n; i++) {
		if (label_problem(lkc(cfg)->labels.items[i], i, &nl, why, sizeof(why)) != 0) {
			conf_check_err(chk, conf_check_line(chk, "labels"), "labels", "%s", why);
			break;
		}
	}
}

static int
loki_probe_request(const struct conf_sink *k, struct buf *url,
    int (*add)(void *arg, const char *name_colon, const char *value), void *arg)
{
	sink_url_base(k->url, "/loki/api/", url);
	buf_append_str(url, "/ready");
	return lkc(k)->tenant != NULL ? add(arg, "X-Scope-OrgID: ", lkc(k)->tenant) : 0;
}

static enum sink_probe_verdict
loki_probe_answer(const struct conf_sink *k, long status, const char *body, size_t len,
    struct buf *detail, struct buf *fix)
{
	if (status == 401 || status == 403) {
		buf_printf(fix, "Loki (or its gateway) refused the request (HTTP %ld): check "
		    "%s%s.", status, k->token ? "token" : k->username ? "username and password" :
		    "the credentials: none are configured (token, or username and password)",
		    lkc(k)->tenant ? " and tenant" : "");
		return SINK_PROBE_FAILED;
	}
	if (status == 503) {
		buf_append_str(fix, "Loki says it is not ready/healthy: wait and run --probe "
		    "again; the daemon retries 503 answers, holding events in its queue.");
		return SINK_PROBE_FAILED;
	}
	return SINK_PROBE_GENERIC;
}

static const char *const loki_keys[] = { SINK_HTTP_KEYS, "token", "username", "password",
	NULL };
static const enum sink_auth loki_auth[] = { SINK_AUTH_BEARER, SINK_AUTH_BASIC,
	SINK_AUTH_END };

const struct sink_ops sink_loki_ops = {
	.type = "loki",
	.keys = loki_keys,
	.conf_keys = loki_conf_keys,
	.conf_size = sizeof(struct sink_loki_conf),
	.auth = loki_auth,
	.required = "url",
	.check = loki_check,
	.defaults = loki_defaults,
	.probe_request = loki_probe_request,
	.probe_answer = loki_probe_answer,
	.init = loki_init,
	.fini = loki_fini,
	.encode_item = loki_encode,
	.assemble_body = loki_assemble,
};
