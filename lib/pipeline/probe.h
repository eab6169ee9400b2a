/*
 * probe.h — `oci-logfwd --probe`: check that every source and sink of a valid
 * configuration actually works, and say how to fix what does not.
 *
 * Sources: real signed SearchLogs of each [source]'s query over the hour that ends at
 * now - lag (where the daemon's newest window ends): at most 5 pages of 200 records, enough
 * to judge, bounded however busy the log.  The row shows the window read and, when the
 * sample stopped early, how far into it.  A query that matched no record in that hour
 * makes the source WARN (the likeliest silent failure), with what to check (and the
 * com.oraclecloud.audit.* pitfall: real audit types are com.oraclecloud.<service>.
 * <Operation>).  A failure is shown with OCI's HTTP status, code, message and opc-request-id,
 * and a fix: 401 -> what to check (user OCID, fingerprint, key, clock); 404
 * NotAuthorizedOrNotFound -> the IAM policy statements granting `read log-content` on
 * the query's scopes (group form for API keys, dynamic-group form for instance
 * principals); 400 -> the query is invalid, shown.
 * Feedback loops: VCN flow-log records in the sample whose source or destination address
 * is one of this host's (netaddr.h) make the source WARN, with the query filter that
 * excludes those addresses (the daemon's own requests would otherwise be forwarded,
 * making new flow records, which get forwarded, ...) and a pointer to the README's
 * "Feedback loops" section.
 *
 * Sinks: one authenticated request to the vendor's health/validation endpoint:
 *   datadog        GET https://api.<site>/api/v1/validate (DD-API-KEY); with `url`: its
 *                  scheme+host (http-intake.logs.X -> api.X) + /api/v1/validate
 *   splunk_hec     GET <base>/services/collector/health (Authorization: Splunk <token>)
 *   elasticsearch  GET <base>/ (ApiKey, Bearer or basic auth, as the sink sends them)
 *   loki           GET <base>/ready (X-Scope-OrgID when tenant; Bearer/basic auth)
 *   http           not probed (no standard endpoint): SKIPPED
 *   kafka          connects and authenticates as the sink does, reads the topic's
 *                  partition count (a topic the brokers lack: WARN); refused
 *                  credentials FAILED with their cause (kafka_common.h)
 *   file           the file can be opened for appending (created and removed again
 *                  when it did not exist; nothing is written)
 *   stdout         OK
 * plus the sink's configured `header` lines, TLS settings and (capped) timeout.
 *
 * Everything runs concurrently on the caller's loop, bounded by PROBE_DEADLINE_MS.
 * Secrets are never printed: URLs are masked as -t masks them (conf_mask_url), and a
 * response excerpt has the credentials the probe sent masked.
 */
#ifndef OCI_LOGFWD_PROBE_H
#define OCI_LOGFWD_PROBE_H

#include <stdio.h>

#include "conf.h"

struct event_base;

/* Exit status when something does not work (sysexits EX_UNAVAILABLE). */
#define PROBE_UNAVAILABLE 69
/* Upper bound on the whole probe; whatever has not answered by then FAILED. */
#define PROBE_DEADLINE_MS 30000

/*
 * Probes every source and sink of conf (already validated; borrowed) on base, which must
 * not be running (probe_run dispatches it until the probe is done, then returns; other
 * events on base stay registered and may run meanwhile).  Prints to out a table
 * "KIND NAME STATUS DETAIL" (STATUS: OK, WARN, FAILED, SKIPPED), then the fixes and
 * warnings.  Returns 0 when nothing FAILED (warnings and skips included), else
 * PROBE_UNAVAILABLE (also when the probe itself could not start: out of memory).
 */
int probe_run(struct event_base *base, const struct conf *conf, FILE *out);

#endif
