/*
 * instprin.h — instance-principal credentials: a security token for this compute instance,
 * obtained without any secret on disk, as the OCI SDKs' instance-principals provider
 * does (README "OCI credentials").
 *
 * A refresh: GET region (the first time), the leaf certificate, its key and the intermediate
 * from the instance metadata service (IMDS v2, header "Authorization: Bearer Oracle"), make
 * a fresh RSA-2048 session key pair, POST /v1/x509 to the federation endpoint signed with
 * the leaf key (keyId "<tenancy>/fed-x509-sha256/<leaf fingerprint>"), and keep the token
 * with the session key it is bound to.  Everything runs on the event loop through http.h.
 *
 * The token is refreshed ahead of its expiry (exp read from the JWT): at
 * exp - min(5 min, lifetime / 4).  A failed refresh is retried with backoff (1 s .. 60 s)
 * while the old token, if any, is still used until it expires.
 */
#ifndef OCI_LOGFWD_INSTPRIN_H
#define OCI_LOGFWD_INSTPRIN_H

#include <openssl/evp.h>
#include <stdint.h>

struct event_base;
struct http;
struct instprin;

/*
 * Called from the event loop after every refresh attempt: ok = 1 with a new token in
 * place, or ok = 0 with a message saying which step failed and why.
 */
typedef void (*instprin_fn)(void *arg, int ok, const char *msg);

/*
 * imds_url: base of IMDS v2 (NULL = http://169.254.169.254/opc/v2).
 * auth_url: federation endpoint, either the base or the full ".../v1/x509" URL; "{region}"
 *   in it is replaced by the instance's region identifier (lets tests see which region
 *   was chosen).  NULL = the auth endpoint of the instance's region,
 *   https://auth.<region>.<realm domain>.
 * The region is always the instance's own, from IMDS /instance/region (short codes mapped
 * as region_from_imds does), never the configured one: an instance in one region may
 * read logs in another, but it federates at home, as the SDKs do.
 * Returns new (nothing is fetched yet) or NULL when out of memory.
 */
struct instprin *instprin_new(struct event_base *base, struct http *http,
    const char *imds_url, const char *auth_url, instprin_fn cb, void *arg);
/* Cancels any transfer or timer; no callback after.  NULL is a no-op. */
void instprin_free(struct instprin *ip);

/* Starts a refresh unless one is running. */
void instprin_refresh(struct instprin *ip);
/* The service refused the current token: forget it (instprin_token returns NULL) and refresh. */
void instprin_invalidate(struct instprin *ip);
int instprin_refreshing(const struct instprin *ip);

/*
 * The current token and session key (borrowed until the next refresh completes), or NULL
 * when there is none or it has expired at now_s.
 */
const char *instprin_token(const struct instprin *ip, int64_t now_s);
EVP_PKEY *instprin_session_key(const struct instprin *ip);
int64_t instprin_expiry(const struct instprin *ip);
/* Increments at every new token (lets a 401 tell whether it was for an old token). */
unsigned instprin_generation(const struct instprin *ip);
/* The instance's region identifier once IMDS told it, else NULL. */
const char *instprin_region(const struct instprin *ip);
const char *instprin_tenancy(const struct instprin *ip);

/* Latest time a JWT may carry: 9999-12-31T23:59:59Z. */
#define INSTPRIN_JWT_MAX_TIME INT64_C(253402300799)
/* Shortest wait before a refresh, however short-lived the token. */
#define INSTPRIN_MIN_REFRESH_MS 1000

/*
 * Reads "exp" (and "iat") from a JWT's payload without verifying it: integers or reals
 * (truncated), exp in [1, INSTPRIN_JWT_MAX_TIME].  An iat out of range or after exp is
 * taken as absent (0).  0, or -1 when there is no usable exp.  Exposed for tests.
 */
int instprin_jwt_times(const char *jwt, int64_t *exp, int64_t *iat);

/*
 * Milliseconds from now_ms until a token (exp, iat as above) is refreshed:
 * exp - min(5 min, lifetime / 4), at least INSTPRIN_MIN_REFRESH_MS.  Pure; for tests.
 */
int64_t instprin_refresh_in_ms(int64_t exp, int64_t iat, int64_t now_ms);

struct buf;
/*
 * The federation URL (see instprin_new) into out: auth_url with "{region}" replaced and
 * "/v1/x509" appended unless present, or the region's auth endpoint when auth_url is
 * NULL.  0, or -1 when the region is needed but NULL or invalid, or out of memory.
 */
int instprin_federation_url(const char *auth_url, const char *region, struct buf *out);

#endif
