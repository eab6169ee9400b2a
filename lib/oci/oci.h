/*
 * oci.h — the OCI client: credentials + the Logging Search endpoint, and the signed header
 * set for each request.
 *
 * Credentials ([oci] auth):
 *   api_key             the OCI SDK config file (config_file, profile): tenancy, user,
 *                       fingerprint, key_file (+ pass_phrase); keyId tenancy/user/fingerprint.
 *                       With security_token_file in the profile: keyId "ST$<token>" and the
 *                       session key in key_file (the token file is re-read when it changes).
 *   instance_principal  tokens from IMDS + the federation endpoint (instprin.h), fetched
 *                       asynchronously on first use and refreshed ahead of expiry.
 * Endpoint: [oci] endpoint, else built from the region (conf, profile, or IMDS) and its realm.
 *
 * Runtime module: logs through log.h (never a secret).
 */
#ifndef OCI_LOGFWD_OCI_H
#define OCI_LOGFWD_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct event_base;
struct http;
struct oci_client;

struct oci_err {
	char msg[512];
};

/*
 * api_key: reads conf->config_file/profile and the key synchronously; errors (missing file,
 * profile or key, a key readable by group/others, a wrong pass phrase, no region) come back
 * as NULL with a message that says how to fix it.
 * instance_principal: nothing is fetched until the first oci_client_when_ready.
 * http is shared and owned by the caller; it must outlive the client.
 */
struct oci_client *oci_client_new(struct event_base *base, struct http *http,
    const struct conf_oci *conf, struct oci_err *err);
/* Cancels pending waits (their callbacks never run) and frees.  NULL is a no-op. */
void oci_client_free(struct oci_client *c);

/* Region identifier and endpoint (no trailing slash); NULL for an instance principal until
 * IMDS told the region (unless [oci] region / endpoint were given).  Borrowed. */
const char *oci_client_region(const struct oci_client *c);
const char *oci_client_endpoint(const struct oci_client *c); /* https://logging.us-ashburn-1.oci.oraclecloud.com */

/* The event base and http layer given to oci_client_new (borrowed). */
struct event_base *oci_client_base(const struct oci_client *c);
struct http *oci_client_http(const struct oci_client *c);

/* 1 for instance principals and session tokens (a 401 may be cured by a new token). */
int oci_client_token_based(const struct oci_client *c);
/* A short description of the credential for log lines, e.g. "API key <keyId>" (no secret). */
const char *oci_client_describe(const struct oci_client *c);

/* The headers to add to one request: "Name: value" strings, heap-owned. */
struct oci_headers {
	char *lines[8];
	size_t n;
	unsigned generation; /* credential generation used, for oci_client_auth_rejected */
	char request_id[40]; /* the opc-request-id sent (log it when OCI returns none) */
};
/* Frees the lines; h may be reused. */
void oci_headers_cleanup(struct oci_headers *h);

/*
 * Signs a request for url (absolute, already percent-encoded): Date, Authorization and, for
 * body methods, Content-Type (application/json), x-content-sha256; plus Accept and a new
 * opc-request-id (unique per request, retries included, in the Python SDK's form: a random
 * UUID as 32 upper-case hex digits) so that Oracle support can trace a request.  The signed
 * host is the URL's authority without a default port (:443 for https, :80 for http), and
 * it is sent as an explicit Host header: what is signed is what goes on the wire, whatever
 * libcurl would derive from the URL.  curl sends Content-Length from the body.  Returns 0; 1
 * when credentials are not ready (instance principal: wait with oci_client_when_ready);
 * -1 with err on failure.
 */
int oci_client_sign(struct oci_client *c, const char *method, const char *url,
    const void *body, size_t body_len, struct oci_headers *out, struct oci_err *err);

/* A new request id: 32 upper-case hex digits of a random (version 4) UUID. */
void oci_new_request_id(char out[40]);

/* The session or instance-principal token the client signs with now (without "ST$"), or
 * NULL (an API key): text from OCI is masked for it (secmask).  Borrowed. */
const char *oci_client_session_token(const struct oci_client *c);
/*
 * url without a default port in its authority ("https://h:443/x" -> "https://h/x"): a new
 * string (caller frees), or NULL (memory).
 */
char *oci_url_drop_default_port(const char *url);

/*
 * Calls cb from the event loop (never from inside this call) once credentials are usable:
 * ok = 1, or ok = 0 with a message when fetching them failed (the client keeps retrying in
 * the background; ask again later).  Returns a handle for oci_wait_cancel, or NULL (memory).
 */
typedef void (*oci_ready_fn)(void *arg, int ok, const char *msg);
struct oci_wait;
struct oci_wait *oci_client_when_ready(struct oci_client *c, oci_ready_fn cb, void *arg);
void oci_wait_cancel(struct oci_wait *w); /* NULL is a no-op; no callback after */

/*
 * OCI answered 401 to a request signed with credential generation gen.  Token-based
 * credentials: starts a refresh unless a newer token already exists, returns 1 (wait with
 * oci_client_when_ready, then retry once).  API key: returns 0 (nothing to refresh).
 */
int oci_client_auth_rejected(struct oci_client *c, unsigned gen);

#endif
