/* template.c — see template.h. */
#include "template.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seg {
	const char *lit;  /* literal text before the placeholder (points into text) */
	size_t lit_len;
	char *path;       /* NULL for the trailing literal */
	int in_string;    /* the placeholder sits inside a JSON string */
};

struct template {
	char *text;
	struct seg *segs;
	size_t n;
};

void
template_free(struct template *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->segs[i].path);
	free(t->segs);
	free(t->text);
	free(t);
}

static const json_t *
lookup(const json_t *obj, const char *path)
{
	const char *dot;
	char key[256];
	const json_t *v;

	while (obj != NULL && json_is_object(obj)) {
		v = json_object_get(obj, path); /* "a.b" as one flattened key */
		if (v != NULL)
			return v;
		dot = strchr(path, '.');
		if (dot == NULL || (size_t)(dot - path) >= sizeof(key))
			return NULL;
		memcpy(key, path, (size_t)(dot - path));
		key[dot - path] = '\0';
		obj = json_object_get(obj, key);
		path = dot + 1;
	}
	return NULL;
}

static int
put_value(struct buf *out, const json_t *v, int in_string)
{
	char *txt;
	int rc;

	if (in_string) {
		if (v == NULL || json_is_null(v))
			return 0;
		if (json_is_string(v))
			return buf_append_json_escaped(out, json_string_value(v),
			    json_string_length(v));
		txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (txt == NULL)
			return -1;
		rc = buf_append_json_escaped(out, txt, strlen(txt));
		free(txt);
		return rc;
	}
	if (v == NULL)
		return buf_append_str(out, "null");
	txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (txt == NULL)
		return -1;
	rc = buf_append_str(out, txt);
	free(txt);
	return rc;
}

static int
render(const struct template *t, const json_t *doc, struct buf *out)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (buf_append(out, t->segs[i].lit, t->segs[i].lit_len) != 0)
			return -1;
		if (t->segs[i].path != NULL &&
		    put_value(out, doc ? lookup(doc, t->segs[i].path) : NULL,
		        t->segs[i].in_string) != 0)
			return -1;
	}
	return 0;
}

struct template *
template_new(const char *text, char *err, size_t errlen)
{
	struct template *t = calloc(1, sizeof(*t));
	const char *p, *lit;
	int in_str = 0;
	size_t cap = 0;
	struct buf check;
	json_t *j;
	json_error_t je;

	if (t == NULL || (t->text = strdup(text)) == NULL)
		goto oom;
	p = lit = t->text;
	for (;;) {
		struct seg *sg;
		const char *end;
		if (t->n == cap) {
			struct seg *ns;
			cap = cap ? cap * 2 : 8;
			ns = realloc(t->segs, cap * sizeof(*ns));
			if (ns == NULL)
				goto oom;
			t->segs = ns;
		}
		/* Scan to the next placeholder, tracking whether we are inside a string. */
		while (*p != '\0' && !(p[0] == '{' && p[1] == '{')) {
			if (in_str && *p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				in_str = !in_str;
			p++;
		}
		sg = &t->segs[t->n++];
		sg->lit = lit;
		sg->lit_len = (size_t)(p - lit);
		sg->path = NULL;
		sg->in_string = in_str;
		if (*p == '\0')
			break;
		end = strstr(p + 2, "}}");
		if (end == NULL) {
			snprintf(err, errlen, "template: unterminated {{ placeholder");
			goto fail;
		}
		{
			const char *a = p + 2, *z = end;
			while (a < z && *a == ' ')
				a++;
			while (z > a && z[-1] == ' ')
				z--;
			if (z == a) {
				snprintf(err, errlen, "template: empty {{}} placeholder");
				goto fail;
			}
			sg->path = strndup(a, (size_t)(z - a));
			if (sg->path == NULL)
				goto oom;
		}
		p = lit = end + 2;
	}
	/* Filled with nothing, it must still be one JSON value. */
	buf_init(&check, 0);
	if (render(t, NULL, &check) != 0) {
		buf_cleanup(&check);
		goto oom;
	}
	j = json_loadb(check.data ? check.data : "", check.len, 0, &je);
	buf_cleanup(&check);
	if (j == NULL) {
		snprintf(err, errlen, "template is not valid JSON: %s (column %d)", je.text,
		    je.column);
		goto fail;
	}
	json_decref(j);
	return t;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	template_free(t);
	return NULL;
}

int
template_render(const struct template *t, const char *json, size_t len,
    struct buf *out, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = json_loadb(json, len, 0, &je);
	size_t mark = out->len;
	int rc;

	if (doc == NULL || !json_is_object(doc)) {
		snprintf(err, errlen, "event is not a JSON object: %s", doc ? "" : je.text);
		json_decref(doc);
		return -1;
	}
	rc = render(t, doc, out);
	json_decref(doc);
	if (rc != 0) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}
