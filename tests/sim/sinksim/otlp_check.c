/*
 * otlp_check.c — see otlp_check.h.  The rules, each a reason a Collector would refuse
 * the body or a promise of the forwarder:
 *  - top level: only "resourceLogs", a non-empty array;
 *  - resourceLogs[i]: only resource, scopeLogs, schemaUrl; resource.attributes a KeyValue
 *    list holding cloud.provider = "oci" (and cloud.region / cloud.account.id when sent
 *    are non-empty strings); scopeLogs a non-empty array;
 *  - scopeLogs[j]: only scope, logRecords, schemaUrl; scope.name a non-empty string;
 *    logRecords a non-empty array;
 *  - logRecord: only the LogRecord fields of the schema; timeUnixNano and
 *    observedTimeUnixNano, when present, strings of decimal digits (64-bit integers are
 *    strings in OTLP/JSON); severityNumber an integer 1..24; severityText a string;
 *    body an AnyValue with exactly stringValue; attributes a KeyValue list with
 *    event.dataset present;
 *  - KeyValue: exactly "key" (non-empty string, unique in its list) and "value", an
 *    AnyValue with exactly one of the AnyValue fields (here: stringValue).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "otlp_check.h"

#define FAIL(...) do { snprintf(why, whylen, __VA_ARGS__); goto bad; } while (0)

static int
only_keys(json_t *o, const char *const *allowed, const char **bad_key)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		const char *const *a;
		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, k) == 0)
				break;
		if (*a == NULL) {
			*bad_key = k;
			return -1;
		}
	}
	return 0;
}

static int
digits(json_t *v)
{
	const char *s = json_string_value(v);

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* A KeyValue list into a flat object {key: stringValue}; 0 or -1 with why. */
static int
kv_list(json_t *list, const char *path, json_t *flat, char *why, size_t whylen)
{
	static const char *const kv_keys[] = { "key", "value", NULL };
	size_t i;
	json_t *e;
	const char *bk;

	if (!json_is_array(list))
		FAIL("%s: not an array", path);
	json_array_foreach(list, i, e) {
		json_t *k = json_object_get(e, "key"), *v = json_object_get(e, "value"), *sv;
		if (!json_is_object(e) || only_keys(e, kv_keys, &bk) != 0)
			FAIL("%s[%zu]: not a KeyValue", path, i);
		if (!json_is_string(k) || json_string_length(k) == 0)
			FAIL("%s[%zu].key: not a non-empty string", path, i);
		if (!json_is_object(v) || json_object_size(v) != 1)
			FAIL("%s[%zu].value: not an AnyValue with one field", path, i);
		sv = json_object_get(v, "stringValue");
		if (!json_is_string(sv))
			FAIL("%s[%zu].value: not a stringValue", path, i);
		if (json_object_get(flat, json_string_value(k)) != NULL)
			FAIL("%s: key %s twice", path, json_string_value(k));
		json_object_set(flat, json_string_value(k), sv);
	}
	return 0;
bad:
	return -1;
}

static int
check_record(json_t *lr, json_t *res, const char *path,
    int (*emit)(void *, const char *, size_t), void *arg, char *why, size_t whylen)
{
	static const char *const lr_keys[] = { "timeUnixNano", "observedTimeUnixNano",
	    "severityNumber", "severityText", "body", "attributes", "droppedAttributesCount",
	    "flags", "traceId", "spanId", "eventName", NULL };
	json_t *out = NULL, *attrs = json_object(), *v, *body;
	const char *bk;
	char p[160], *line;
	int rc;

	if (!json_is_object(lr))
		FAIL("%s: not an object", path);
	if (only_keys(lr, lr_keys, &bk) != 0)
		FAIL("%s: unknown field %s", path, bk);
	if ((v = json_object_get(lr, "timeUnixNano")) != NULL && !digits(v))
		FAIL("%s.timeUnixNano: not a string of digits", path);
	if ((v = json_object_get(lr, "observedTimeUnixNano")) != NULL && !digits(v))
		FAIL("%s.observedTimeUnixNano: not a string of digits", path);
	v = json_object_get(lr, "severityNumber");
	if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 24))
		FAIL("%s.severityNumber: not an integer 1..24", path);
	v = json_object_get(lr, "severityText");
	if (v != NULL && !json_is_string(v))
		FAIL("%s.severityText: not a string", path);
	body = json_object_get(lr, "body");
	if (!json_is_object(body) || json_object_size(body) != 1 ||
	    !json_is_string(json_object_get(body, "stringValue")))
		FAIL("%s.body: not an AnyValue holding stringValue", path);
	snprintf(p, sizeof(p), "%s.attributes", path);
	if (kv_list(json_object_get(lr, "attributes"), p, attrs, why, whylen) != 0)
		goto bad;
	if (json_object_get(attrs, "event.dataset") == NULL)
		FAIL("%s: no event.dataset", p);
	out = json_pack("{sOsOsOsOsOsOsO}", "resource", res, "attributes", attrs,
	    "timeUnixNano", json_object_get(lr, "timeUnixNano") ? json_object_get(lr,
	    "timeUnixNano") : json_null(),
	    "severityText", json_object_get(lr, "severityText") ? json_object_get(lr,
	    "severityText") : json_null(),
	    "severityNumber", json_object_get(lr, "severityNumber") ? json_object_get(lr,
	    "severityNumber") : json_null(),
	    "body", json_object_get(body, "stringValue"),
	    "observedTimeUnixNano", json_object_get(lr, "observedTimeUnixNano") ?
	    json_object_get(lr, "observedTimeUnixNano") : json_null());
	line = out ? json_dumps(out, JSON_COMPACT) : NULL;
	if (line == NULL)
		FAIL("out of memory");
	rc = emit(arg, line, strlen(line));
	free(line);
	json_decref(out);
	json_decref(attrs);
	return rc;
bad:
	json_decref(out);
	json_decref(attrs);
	return -1;
}

int
otlp_check_body(const char *p, size_t n,
    int (*emit)(void *arg, const char *line, size_t len), void *arg,
    char *why, size_t whylen)
{
	static const char *const top_keys[] = { "resourceLogs", NULL };
	static const char *const rl_keys[] = { "resource", "scopeLogs", "schemaUrl", NULL };
	static const char *const res_keys[] = { "attributes", "droppedAttributesCount", NULL };
	static const char *const sl_keys[] = { "scope", "logRecords", "schemaUrl", NULL };
	json_error_t je;
	json_t *root = json_loadb(p, n, 0, &je), *rls, *rl, *res = NULL;
	const char *bk;
	size_t i, j, k;

	if (!json_is_object(root))
		FAIL("body: not a JSON object (%s)", root ? "other type" : je.text);
	if (only_keys(root, top_keys, &bk) != 0)
		FAIL("body: unknown field %s", bk);
	rls = json_object_get(root, "resourceLogs");
	if (!json_is_array(rls) || json_array_size(rls) == 0)
		FAIL("resourceLogs: not a non-empty array");
	json_array_foreach(rls, i, rl) {
		json_t *r = json_object_get(rl, "resource"), *sls, *sl, *v;
		char path[96];

		if (!json_is_object(rl) || only_keys(rl, rl_keys, &bk) != 0)
			FAIL("resourceLogs[%zu]: not an object or unknown field", i);
		if (!json_is_object(r) || only_keys(r, res_keys, &bk) != 0)
			FAIL("resourceLogs[%zu].resource: not a Resource", i);
		json_decref(res);
		res = json_object();
		snprintf(path, sizeof(path), "resourceLogs[%zu].resource.attributes", i);
		if (kv_list(json_object_get(r, "attributes"), path, res, why, whylen) != 0)
			goto bad;
		v = json_object_get(res, "cloud.provider");
		if (v == NULL || strcmp(json_string_value(v), "oci") != 0)
			FAIL("%s: cloud.provider is not \"oci\"", path);
		if ((v = json_object_get(res, "cloud.region")) != NULL && json_string_length(v) == 0)
			FAIL("%s: empty cloud.region", path);
		if ((v = json_object_get(res, "cloud.account.id")) != NULL &&
		    json_string_length(v) == 0)
			FAIL("%s: empty cloud.account.id", path);
		sls = json_object_get(rl, "scopeLogs");
		if (!json_is_array(sls) || json_array_size(sls) == 0)
			FAIL("resourceLogs[%zu].scopeLogs: not a non-empty array", i);
		json_array_foreach(sls, j, sl) {
			json_t *scope = json_object_get(sl, "scope"), *lrs, *lr;
			if (!json_is_object(sl) || only_keys(sl, sl_keys, &bk) != 0)
				FAIL("resourceLogs[%zu].scopeLogs[%zu]: not a ScopeLogs", i, j);
			if (!json_is_object(scope) ||
			    !json_is_string(json_object_get(scope, "name")) ||
			    json_string_length(json_object_get(scope, "name")) == 0)
				FAIL("resourceLogs[%zu].scopeLogs[%zu].scope.name: missing", i, j);
			lrs = json_object_get(sl, "logRecords");
			if (!json_is_array(lrs) || json_array_size(lrs) == 0)
				FAIL("resourceLogs[%zu].scopeLogs[%zu].logRecords: not a non-empty "
				    "array", i, j);
			json_array_foreach(lrs, k, lr) {
				char lp[128];
				snprintf(lp, sizeof(lp), "resourceLogs[%zu].scopeLogs[%zu]."
				    "logRecords[%zu]", i, j, k);
				if (check_record(lr, res, lp, emit, arg, why, whylen) != 0)
					goto bad;
			}
		}
	}
	json_decref(res);
	json_decref(root);
	return 0;
bad:
	json_decref(res);
	json_decref(root);
	return -1;
}
