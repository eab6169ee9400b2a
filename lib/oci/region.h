/*
 * region.h — OCI regions and realms, and the service endpoints the SDKs build from them.
 *
 * Tables from oci-python-sdk 2.182.1 (regions.py / regions_definitions.py): 85 regions,
 * each with its short code and realm; realm -> second-level domain.  Regions not in the
 * table are assumed to be in oc1 (oraclecloud.com), as the SDKs do; a "region" containing a
 * '.' is taken as a full domain ("logging.<that>").  [oci] endpoint overrides all of this.
 * Pure module.
 */
#ifndef OCI_LOGFWD_REGION_H
#define OCI_LOGFWD_REGION_H

#include <stddef.h>

struct region_info {
	const char *id;     /* "us-ashburn-1" */
	const char *code;   /* "iad" */
	const char *realm;  /* "oc1" */
	const char *domain; /* "oraclecloud.com" */
};

/*
 * Looks up a region identifier or short code, case-insensitively.  0 with *out filled
 * (static strings), or -1 when the table does not know it.
 */
int region_lookup(const char *name, struct region_info *out);

/*
 * What IMDS answers at /opc/v2/instance/region (older regions give the short code "iad",
 * newer ones the identifier) -> the region identifier, as the Go SDK's StringToRegion
 * does: trimmed, lowercased, a known short code mapped to its identifier, anything else
 * kept as is.  0, or -1 when the answer is not a region name (empty, not a DNS label
 * sequence) or does not fit in out.
 */
int region_from_imds(const char *body, size_t len, char *out, size_t size);

/* "oc1" -> "oraclecloud.com"; NULL when the realm is unknown. */
const char *region_realm_domain(const char *realm);

/*
 * The Logging Search endpoint, "https://logging.<region-id>.oci.<domain>" (no trailing
 * slash) into out.  Short codes are mapped to identifiers; unknown regions use oc1.
 * 0, or -1 when region is empty/invalid or out is too small.
 */
int region_logging_endpoint(const char *region, char *out, size_t size);

/* A classic service endpoint, "https://<service>.<region-id>.<domain>" (e.g. auth). */
int region_service_endpoint(const char *service, const char *region, char *out,
    size_t size);

/*
 * The region of an OCI Streaming Kafka endpoint in a bootstrap list ("host:port,..."):
 * the first host of the form <cell>.streaming.<region>.oci.<domain>, e.g.
 * cell-1.streaming.eu-frankfurt-1.oci.oraclecloud.com:9092 -> "eu-frankfurt-1" (a short
 * code becomes its identifier, as region_from_imds).  0 with out filled, or -1 when no
 * host is one (another Kafka) or out is too small.
 */
int region_from_streaming(const char *servers, char *out, size_t size);

#endif
