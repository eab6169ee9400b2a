/*
 * template.c — see template.h.  Events are read with yajl's tree, which keeps every
 * number's text: an integer beyond int64 (jansson refuses it: "too big integer") or a
 * 1e999 goes into the body exactly as the event has it.
 */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

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

/* The member key[0..n) of obj; with duplicate keys the last one wins (as jansson did). */
static yajl_val
member(yajl_val obj, const char *key, size_t n)
{
	yajl_val v = NULL;
	size_t i;

	if (obj == NULL || obj->type != yajl_t_object)
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (strlen(obj->u.object.keys[i]) == n &&
		    memcmp(obj->u.object.keys[i], key, n) == 0)
			v = obj->u.object.values[i];
	return v;
}

static yajl_val
lookup(yajl_val obj, const char *path)
{
	const char *dot;
	yajl_val v;

	while (obj != NULL && obj->type == yajl_t_object) {
		v = member(obj, path, strlen(path)); /* "a.b" as one flattened key */
		if (v != NULL)
			return v;
		dot = strchr(path, '.');
		if (dot == NULL)
			return NULL;
		obj = member(obj, path, (size_t)(dot - path));
		path = dot + 1;
	}
	return NULL;
}

/* Compact JSON text of v; numbers as the event wrote them. */
static int
put_json(struct buf *out, yajl_val v)
{
	size_t i;

	switch (v->type) {
	case yajl_t_string:
		return buf_append_json_string(out, v->u.string, strlen(v->u.string));
	case yajl_t_number:
		return buf_append_str(out, v->u.number.r);
	case yajl_t_object:
		if (buf_append_char(out, '{') != 0)
			return -1;
		for (i = 0; i < v->u.object.len; i++) {
			const char *k = v->u.object.keys[i];
			if ((i > 0 && buf_append_char(out, ',') != 0) ||
			    buf_append_json_string(out, k, strlen(k)) != 0 ||
			    buf_append_char(out, ':') != 0 ||
			    put_json(out, v->u.object.values[i]) != 0)
				return -1;
		}
		return buf_append_char(out, '}');
	case yajl_t_array:
		if (buf_append_char(out, '[') != 0)
			return -1;
		for (i = 0; i < v->u.array.len; i++)
			if ((i > 0 && buf_append_char(out, ',') != 0) ||
			    put_json(out, v->u.array.values[i]) != 0)
				return -1;
		return buf_append_char(out, ']');
	case yajl_t_true:
		return buf_append_str(out, "true");
	case yajl_t_false:
		return buf_append_str(out, "false");
	case yajl_t_null:
	case yajl_t_any:
		break;
	}
	return buf_append_str(out, "null");
}

static int
put_value(struct buf *out, yajl_val v, int in_string)
{
	struct buf txt;
	int rc;

	if (in_string) {
		if (v == NULL || v->type == yajl_t_null)
			return 0;
		if (v->type == yajl_t_string)
			return buf_append_json_escaped(out, v->u.string, strlen(v->u.string));
		buf_init(&txt, 0);
		rc = put_json(&txt, v);
		if (rc == 0)
			rc = buf_append_json_escaped(out, txt.data ? txt.data : "", txt.len);
		buf_cleanup(&txt);
		return rc;
	}
	if (v == NULL)
		return buf_append_str(out, "null");
	return put_json(out, v);
}

static int
render(const struct template *t, yajl_val doc, struct buf *out)
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
	yajl_val j;
	char je[128];

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
	je[0] = '\0';
	j = yajl_tree_parse(check.data ? check.data : "", je, sizeof(je));
	buf_cleanup(&check);
	if (j == NULL) {
		char *nl;
		while ((nl = strchr(je, '\n')) != NULL)
			*nl = ' ';
		snprintf(err, errlen, "template is not valid JSON: %s", je);
		goto fail;
	}
	yajl_tree_free(j);
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
	char je[128];
	char *text = strndup(json, len); /* yajl_tree_parse reads a C string */
	yajl_val doc;
	size_t mark = out->len;
	int rc;

	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	je[0] = '\0';
	doc = yajl_tree_parse(text, je, sizeof(je));
	free(text);
	if (doc == NULL || doc->type != yajl_t_object) {
		char *nl;
		while ((nl = strchr(je, '\n')) != NULL)
			*nl = ' ';
		snprintf(err, errlen, "event is not a JSON object%s%s", doc ? "" : ": ",
		    doc ? "" : je);
		yajl_tree_free(doc);
		return -1;
	}
	rc = render(t, doc, out);
	yajl_tree_free(doc);
	if (rc != 0) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}
