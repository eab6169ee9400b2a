/*
 * evfields.h — the few fields the otlp and syslog sinks put beside an event (attributes,
 * structured data), read back from the event as encoded in the sink's format, so that
 * they also come out right when a reload re-encodes stored events.
 */
#ifndef OCI_LOGFWD_EVFIELDS_H
#define OCI_LOGFWD_EVFIELDS_H

#include <stddef.h>

/*
 * The record id, tenancy and region from an event encoded as ECS (event.id,
 * cloud.account.id, cloud.region), OCSF (metadata.uid, cloud.account.uid, cloud.region)
 * or raw OCI (id, oracle.tenantid; no region); each out string is heap (free with
 * evfields_free) or NULL when absent.  0, or -1 when json is not a JSON object.
 */
struct evfields {
	char *record_id, *account_id, *region;
};
int evfields_get(const char *json, size_t len, struct evfields *f);
void evfields_free(struct evfields *f);

/* The dataset of an event kind ("audit", "flow", other/NULL): "oci.audit",
 * "oci.vcn_flow", "oci.log" — ECS's event.dataset. */
const char *evfields_dataset(const char *kind);

#endif
