/*
 * evfields.c — what the otlp and syslog sinks read back from an encoded event.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "evfields.h"

const char *
evfields_dataset(const char *kind)
{
	/* The same names the ECS encoder writes as event.dataset. */
	if (kind != NULL && strcmp(kind, "audit") == 0)
		return "oci.audit";
	if (kind != NULL && strcmp(kind, "flow") == 0)
		return "oci.vcn_flow";
	return "oci.log";
}

/* The first string found at one of the dotted paths, strdup'ed; NULL when none. */
static char *
first_string(json_t *root, const char *const *paths)
{
	for (; *paths != NULL; paths++) {
		char part[64];
		const char *p = *paths;
		json_t *j = root;

		while (j != NULL && *p != '\0') {
			size_t k = strcspn(p, ".");
			if (k >= sizeof(part))
				return NULL;
			memcpy(part, p, k);
			part[k] = '\0';
			j = json_is_object(j) ? json_object_get(j, part) : NULL;
			p += k + (p[k] == '.');
		}
		if (json_is_string(j) && json_string_length(j) > 0)
			return strdup(json_string_value(j));
	}
	return NULL;
}

int
evfields_get(const char *json, size_t len, struct evfields *f)
{
	static const char *const id_paths[] = { "event.id", "metadata.uid", "id", NULL };
	static const char *const acct_paths[] = { "cloud.account.id", "cloud.account.uid",
	    "oracle.tenantid", NULL };
	static const char *const region_paths[] = { "cloud.region", NULL };
	json_t *root;

	memset(f, 0, sizeof(*f));
	root = json_loadb(json, len, JSON_ALLOW_NUL, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		return -1;
	}
	f->record_id = first_string(root, id_paths);
	f->account_id = first_string(root, acct_paths);
	f->region = first_string(root, region_paths);
	json_decref(root);
	return 0;
}

void
evfields_free(struct evfields *f)
{
	free(f->record_id);
	free(f->account_id);
	free(f->region);
	memset(f, 0, sizeof(*f));
}
