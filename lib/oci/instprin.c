/* instprin.c — see instprin.h. */
#include "instprin.h"

#include <ctype.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdarg.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "buf.h"
#include "http.h"
#include "region.h"
#include "signer.h"
#include "timeutil.h"

#define IMDS_DEFAULT "http://169.254.169.254/opc/v2"
#define IMDS_TIMEOUT_MS 10000
#define FED_TIMEOUT_MS 30000

enum step { ST_IDLE, ST_REGION, ST_CERT, ST_KEY, ST_INTER, ST_FEDERATE };

struct instprin {
	struct event_base *base;
	struct http *http;
	char *imds_url, *auth_url, *region;
	instprin_fn cb;
	void *arg;

	enum step step;
	struct http_xfer *xfer;
	struct event *timer;    /* refresh-ahead and retry timer */
	struct event *step_ev;  /* runs next_step from the loop, outside http callbacks */
	enum step next_step;
	struct backoff bo;
	/* material of the refresh in progress */
	char *cert_pem, *key_pem, *inter_pem;
	char *fed_body;
	/* current credentials */
	char *token;
	EVP_PKEY *session;
	EVP_PKEY *pending_session;
	int64_t exp, iat;
	unsigned generation;
	char *tenancy;
};

static void start_step(struct instprin *ip, enum step st);
static void on_timer(evutil_socket_t fd, short what, void *arg);
static void on_step_ev(evutil_socket_t fd, short what, void *arg);
static void defer_step(struct instprin *ip, enum step st);

struct instprin *
instprin_new(struct event_base *base, struct http *http, const char *imds_url,
    const char *auth_url, instprin_fn cb, void *arg)
{
	struct instprin *ip = calloc(1, sizeof(*ip));
	size_t n;

	if (ip == NULL)
		return NULL;
	ip->base = base;
	ip->http = http;
	ip->cb = cb;
	ip->arg = arg;
	ip->imds_url = strdup(imds_url != NULL ? imds_url : IMDS_DEFAULT);
	ip->auth_url = auth_url != NULL ? strdup(auth_url) : NULL;
	ip->timer = evtimer_new(base, on_timer, ip);
	ip->step_ev = event_new(base, -1, 0, on_step_ev, ip);
	if (ip->imds_url == NULL || (auth_url != NULL && ip->auth_url == NULL) ||
	    ip->timer == NULL ||
	    ip->step_ev == NULL) {
		instprin_free(ip);
		return NULL;
	}
	n = strlen(ip->imds_url);
	while (n > 0 && ip->imds_url[n - 1] == '/')
		ip->imds_url[--n] = '\0';
	backoff_init(&ip->bo, 1000, 60000);
	return ip;
}

static void
clear_material(struct instprin *ip)
{
	free(ip->cert_pem);
	if (ip->key_pem != NULL)
		OPENSSL_cleanse(ip->key_pem, strlen(ip->key_pem));
	free(ip->key_pem);
	free(ip->inter_pem);
	free(ip->fed_body);
	EVP_PKEY_free(ip->pending_session);
	ip->cert_pem = ip->key_pem = ip->inter_pem = ip->fed_body = NULL;
	ip->pending_session = NULL;
}

void
instprin_free(struct instprin *ip)
{
	if (ip == NULL)
		return;
	http_cancel(ip->xfer);
	if (ip->timer != NULL)
		event_free(ip->timer);
	if (ip->step_ev != NULL)
		event_free(ip->step_ev);
	clear_material(ip);
	EVP_PKEY_free(ip->session);
	free(ip->token);
	free(ip->tenancy);
	free(ip->imds_url);
	free(ip->auth_url);
	free(ip->region);
	free(ip);
}

int
instprin_refreshing(const struct instprin *ip)
{
	return ip->step != ST_IDLE;
}

const char *
instprin_token(const struct instprin *ip, int64_t now_s)
{
	if (ip->token == NULL || now_s >= ip->exp)
		return NULL;
	return ip->token;
}

EVP_PKEY *
instprin_session_key(const struct instprin *ip)
{
	return ip->session;
}

int64_t
instprin_expiry(const struct instprin *ip)
{
	return ip->exp;
}

unsigned
instprin_generation(const struct instprin *ip)
{
	return ip->generation;
}

const char *
instprin_region(const struct instprin *ip)
{
	return ip->region;
}

const char *
instprin_tenancy(const struct instprin *ip)
{
	return ip->tenancy;
}

/* A JSON NumericDate within [lo, JWT_MAX_TIME], truncated to whole seconds; 0 or -1. */
static int
jwt_seconds(const json_t *v, int64_t lo, int64_t *out)
{
	double d;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < lo || json_integer_value(v) > INSTPRIN_JWT_MAX_TIME)
			return -1;
		*out = json_integer_value(v);
		return 0;
	}
	if (!json_is_real(v))
		return -1;
	d = json_real_value(v);
	/* NaN fails both comparisons; jansson refuses inf, but say it anyway */
	if (!(d >= (double)lo && d <= (double)INSTPRIN_JWT_MAX_TIME))
		return -1;
	*out = (int64_t)d;
	return 0;
}

int
instprin_jwt_times(const char *jwt, int64_t *exp, int64_t *iat)
{
	const char *d1 = strchr(jwt, '.'), *d2;
	unsigned char *raw = NULL;
	char *b64 = NULL;
	json_t *v = NULL;
	size_t n, m, i;
	int len, rc = -1;
	int64_t e, t;

	d2 = d1 != NULL ? strchr(d1 + 1, '.') : NULL;
	if (d2 == NULL)
		return -1;
	n = (size_t)(d2 - d1 - 1);
	if (n == 0 || n > 64 * 1024)
		return -1;
	b64 = calloc(1, n + 4); /* calloc: gcc cannot see that the loops below fill it */
	raw = malloc(n + 4);
	if (b64 == NULL || raw == NULL)
		goto done;
	for (i = 0; i < n; i++)
		b64[i] = d1[1 + i] == '-' ? '+' : d1[1 + i] == '_' ? '/' : d1[1 + i];
	m = n;
	while (m % 4 != 0)
		b64[m++] = '=';
	len = EVP_DecodeBlock(raw, (unsigned char *)b64, (int)m);
	if (len < 0)
		goto done;
	len -= (int)(m - n); /* padding decodes as zero bytes */
	if (len < 0)
		goto done;
	v = json_loadb((const char *)raw, (size_t)len, 0, NULL);
	/* The times feed timer arithmetic in milliseconds: out-of-range values are refused
	 * here rather than overflowing there. */
	if (jwt_seconds(json_object_get(v, "exp"), 1, &e) != 0)
		goto done;
	if (jwt_seconds(json_object_get(v, "iat"), 0, &t) != 0 || t > e)
		t = 0; /* optional; a nonsensical one is ignored, as if absent */
	*exp = e;
	*iat = t;
	rc = 0;
done:
	json_decref(v);
	free(b64);
	free(raw);
	return rc;
}

int64_t
instprin_refresh_in_ms(int64_t exp, int64_t iat, int64_t now_ms)
{
	int64_t life_ms, ahead_ms, at_ms, now_s = now_ms / 1000;

	/* All three are bounded (INSTPRIN_JWT_MAX_TIME, and a clock), so the products
	 * below cannot overflow. */
	if (now_s < 0 || now_s > INSTPRIN_JWT_MAX_TIME)
		now_s = 0, now_ms = 0;
	life_ms = (exp - (iat > 0 ? iat : now_s)) * 1000;
	if (life_ms < 0)
		life_ms = 0;
	ahead_ms = life_ms / 4 < 300000 ? life_ms / 4 : 300000; /* 5 min for real tokens */
	at_ms = exp * 1000 - ahead_ms - now_ms;
	/* A token with (almost) no life left must not turn into a refresh loop. */
	return at_ms < INSTPRIN_MIN_REFRESH_MS ? INSTPRIN_MIN_REFRESH_MS : at_ms;
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	instprin_refresh(arg);
}

static void
arm_timer(struct instprin *ip, int64_t ms)
{
	timeutil_timer_add(ip->timer, ms);
}

static void
fail(struct instprin *ip, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct instprin *ip, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ip->step = ST_IDLE;
	clear_material(ip);
	arm_timer(ip, backoff_next(&ip->bo));
	ip->cb(ip->arg, 0, msg);
}

/* The body of a PEM block with header lines and newlines removed (base64 DER). */
static int
pem_body(const char *pem, struct buf *out)
{
	const char *p = strstr(pem, "-----BEGIN"), *end;

	if (p == NULL || (p = strchr(p, '\n')) == NULL)
		return -1;
	end = strstr(p, "-----END");
	if (end == NULL)
		return -1;
	for (; p < end; p++)
		if (!isspace((unsigned char)*p) && buf_append_char(out, *p) != 0)
			return -1;
	return 0;
}

static char *
tenancy_of(X509 *cert)
{
	X509_NAME *n = X509_get_subject_name(cert);
	int i;

	for (i = 0; i < X509_NAME_entry_count(n); i++) {
		ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
		const char *s = (const char *)ASN1_STRING_get0_data(d);
		int len = ASN1_STRING_length(d);

		if (len > 11 && strncmp(s, "opc-tenant:", 11) == 0)
			return strndup(s + 11, (size_t)len - 11);
		if (len > 13 && strncmp(s, "opc-identity:", 13) == 0)
			return strndup(s + 13, (size_t)len - 13);
	}
	return NULL;
}

static X509 *
read_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *c = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	ERR_clear_error();
	return c;
}

int
instprin_federation_url(const char *auth_url, const char *region, struct buf *out)
{
	const char *ph = auth_url != NULL ? strstr(auth_url, "{region}") : NULL;
	char base[300];

	buf_reset(out);
	if (auth_url == NULL) {
		if (region == NULL ||
		    region_service_endpoint("auth", region, base, sizeof(base)) != 0)
			return -1;
		return buf_printf(out, "%s/v1/x509", base);
	}
	if (ph != NULL) {
		if (region == NULL || buf_append(out, auth_url, (size_t)(ph - auth_url)) != 0 ||
		    buf_append_str(out, region) != 0 || buf_append_str(out, ph + 8) != 0)
			return -1;
	} else if (buf_append_str(out, auth_url) != 0) {
		return -1;
	}
	while (out->len > 0 && out->data[out->len - 1] == '/')
		out->data[--out->len] = '\0';
	if (out->len < 8 || strcmp(out->data + out->len - 8, "/v1/x509") != 0)
		return buf_append_str(out, "/v1/x509");
	return 0;
}

static void on_fed_done(void *arg, const struct http_response *r);

/* Builds, signs and sends the federation request. */
static void
federate(struct instprin *ip)
{
	struct signer_err serr;
	struct signer_output so;
	struct signer *sg = NULL;
	X509 *leaf = NULL;
	EVP_PKEY *leaf_key = NULL;
	struct buf cert, inter, pub, body, url, key_id;
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int mdlen = 0, i;
	char *ten = NULL, date_h[64], auth_h[0x400], *auth_dyn = NULL, len_h[160], sha_h[80];
	const char *hdrs[6];
	struct http_request req;
	int derlen;

	memset(&so, 0, sizeof(so));
	buf_init(&cert, 0);
	buf_init(&inter, 0);
	buf_init(&pub, 0);
	buf_init(&body, 0);
	buf_init(&url, 0);
	buf_init(&key_id, 0);
	leaf = read_cert(ip->cert_pem);
	if (leaf == NULL) {
		fail(ip, "instance metadata: identity/cert.pem is not a PEM certificate");
		goto done;
	}
	ten = tenancy_of(leaf);
	if (ten == NULL) {
		fail(ip, "instance certificate subject has no opc-tenant: entry");
		goto done;
	}
	if (ip->tenancy != NULL && strcmp(ip->tenancy, ten) != 0) {
		fail(ip, "instance certificate tenancy changed from %s to %s; refusing", ip->tenancy,
		    ten);
		goto done;
	}
	leaf_key = signer_load_key_pem(ip->key_pem, strlen(ip->key_pem), NULL, &serr);
	if (leaf_key == NULL) {
		fail(ip, "instance metadata: identity/key.pem: %s", serr.msg);
		goto done;
	}
	/* A fresh session key pair on every refresh, as the SDKs do. */
	EVP_PKEY_free(ip->pending_session);
	ip->pending_session = EVP_RSA_gen(2048);
	if (ip->pending_session == NULL) {
		fail(ip, "cannot generate the session RSA key");
		goto done;
	}
	derlen = i2d_PUBKEY(ip->pending_session, &der);
	if (derlen <= 0 || pem_body(ip->cert_pem, &cert) != 0 ||
	    pem_body(ip->inter_pem, &inter) != 0 || buf_reserve(&pub, (size_t)derlen * 2) != 0) {
		fail(ip, "instance metadata: cannot read the certificates");
		goto done;
	}
	pub.len = (size_t)EVP_EncodeBlock((unsigned char *)pub.data, der, derlen);
	pub.data[pub.len] = '\0';
	if (buf_printf(&body, "{\"certificate\":\"%s\",\"publicKey\":\"%s\","
		"\"intermediateCertificates\":[\"%s\"],\"purpose\":\"DEFAULT\","
		"\"fingerprintAlgorithm\":\"SHA256\"}", cert.data, pub.data, inter.data) != 0)
		goto oom;
	if (X509_digest(leaf, EVP_sha256(), md, &mdlen) != 1)
		goto oom;
	if (buf_printf(&key_id, "%s/fed-x509-sha256/", ten) != 0)
		goto oom;
	for (i = 0; i < mdlen; i++)
		if (buf_printf(&key_id, i + 1 < mdlen ? "%02x:" : "%02x", md[i]) != 0)
			goto oom;
	if (instprin_federation_url(ip->auth_url, ip->region, &url) != 0) {
		fail(ip, "no federation endpoint for region %s", ip->region ? ip->region : "?");
		goto done;
	}
	sg = signer_new(leaf_key, key_id.data, &serr);
	if (sg == NULL)
		goto oom;
	{
		struct signer_input in = { .method = "POST", .url = url.data, .body = body.data,
			.body_len = body.len, .content_type = "application/json",
			.flags = SIGNER_OMIT_HOST };
		if (signer_sign(sg, &in, &so, &serr) != 0) {
			fail(ip, "cannot sign the federation request: %s", serr.msg);
			goto done;
		}
	}
	snprintf(date_h, sizeof(date_h), "Date: %s", so.date);
	snprintf(len_h, sizeof(len_h), "Content-Type: %s", so.content_type);
	snprintf(sha_h, sizeof(sha_h), "x-content-sha256: %s", so.x_content_sha256);
	if (strlen(so.authorization) + 16 < sizeof(auth_h)) {
		snprintf(auth_h, sizeof(auth_h), "Authorization: %s", so.authorization);
	} else {
		auth_dyn = malloc(strlen(so.authorization) + 16);
		if (auth_dyn == NULL)
			goto oom;
		sprintf(auth_dyn, "Authorization: %s", so.authorization);
	}
	hdrs[0] = date_h;
	hdrs[1] = len_h;
	hdrs[2] = sha_h;
	hdrs[3] = auth_dyn != NULL ? auth_dyn : auth_h;
	hdrs[4] = "Accept: application/json";
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url.data;
	req.headers = hdrs;
	req.n_headers = 5;
	ip->fed_body = buf_steal(&body, NULL);
	req.body = ip->fed_body;
	req.body_len = strlen(ip->fed_body);
	req.timeout_ms = FED_TIMEOUT_MS;
	req.tls_verify = 1;
	free(ip->tenancy);
	ip->tenancy = ten;
	ten = NULL;
	ip->step = ST_FEDERATE;
	ip->xfer = http_submit(ip->http, &req, on_fed_done, ip);
	if (ip->xfer == NULL)
		fail(ip, "cannot start the federation request to %s", url.data);
	goto done;
oom:
	fail(ip, "out of memory building the federation request");
done:
	free(auth_dyn);
	signer_output_cleanup(&so);
	signer_free(sg);
	EVP_PKEY_free(leaf_key);
	X509_free(leaf);
	OPENSSL_free(der);
	free(ten);
	buf_cleanup(&cert);
	buf_cleanup(&inter);
	buf_cleanup(&pub);
	buf_cleanup(&body);
	buf_cleanup(&url);
	buf_cleanup(&key_id);
}

static void
on_fed_done(void *arg, const struct http_response *r)
{
	struct instprin *ip = arg;
	json_t *v = NULL;
	const char *tok;
	char *copy;
	int64_t exp, iat;

	ip->xfer = NULL;
	free(ip->fed_body);
	ip->fed_body = NULL;
	if (!r->ok) {
		fail(ip, "federation request failed: %s", r->error ? r->error : "no response");
		return;
	}
	if (r->status != 200) {
		fail(ip, "federation endpoint answered HTTP %ld: %.300s", r->status,
		    r->body != NULL ? r->body : "");
		return;
	}
	v = json_loadb(r->body, r->body_len, 0, NULL);
	tok = json_string_value(json_object_get(v, "token"));
	if (tok == NULL || instprin_jwt_times(tok, &exp, &iat) != 0) {
		json_decref(v);
		fail(ip, "federation response has no usable token");
		return;
	}
	copy = strdup(tok);
	json_decref(v);
	if (copy == NULL) {
		fail(ip, "out of memory");
		return;
	}
	free(ip->token);
	ip->token = copy;
	EVP_PKEY_free(ip->session);
	ip->session = ip->pending_session; /* the key whose public half went with this token */
	ip->pending_session = NULL;
	ip->exp = exp;
	ip->iat = iat;
	ip->generation++;
	ip->step = ST_IDLE;
	clear_material(ip);
	backoff_reset(&ip->bo);
	arm_timer(ip, instprin_refresh_in_ms(exp, iat, timeutil_now_ms()));
	ip->cb(ip->arg, 1, NULL);
}

/* The next request is submitted from the loop, not from inside an http callback. */
static void
defer_step(struct instprin *ip, enum step st)
{
	ip->next_step = st;
	event_active(ip->step_ev, EV_TIMEOUT, 0);
}

static void
on_step_ev(evutil_socket_t fd, short what, void *arg)
{
	struct instprin *ip = arg;

	if (ip->next_step == ST_FEDERATE)
		federate(ip);
	else
		start_step(ip, ip->next_step);
}

static void
on_imds_done(void *arg, const struct http_response *r)
{
	struct instprin *ip = arg;
	static const char *const names[] = { "", "instance/region", "identity/cert.pem",
		"identity/key.pem", "identity/intermediate.pem" };
	const char *name = names[ip->step];
	char *text;

	ip->xfer = NULL;
	if (!r->ok) {
		fail(ip, "instance metadata %s/%s: %s", ip->imds_url, name,
		    r->error ? r->error : "no response");
		return;
	}
	if (r->status != 200) {
		fail(ip, "instance metadata %s/%s answered HTTP %ld", ip->imds_url, name, r->status);
		return;
	}
	text = strndup(r->body != NULL ? r->body : "", r->body_len);
	if (text == NULL) {
		fail(ip, "out of memory");
		return;
	}
	switch (ip->step) {
	case ST_REGION: {
		char id[128];
		if (region_from_imds(text, strlen(text), id, sizeof(id)) != 0) {
			fail(ip, "instance metadata %s/instance/region: \"%.60s\" is not a region "
			    "name", ip->imds_url, text);
			free(text);
			return;
		}
		free(text);
		free(ip->region);
		ip->region = strdup(id);
		if (ip->region == NULL) {
			fail(ip, "out of memory");
			return;
		}
		defer_step(ip, ST_CERT);
		return;
	}
	case ST_CERT:
		free(ip->cert_pem);
		ip->cert_pem = text;
		defer_step(ip, ST_KEY);
		return;
	case ST_KEY:
		free(ip->key_pem);
		ip->key_pem = text;
		defer_step(ip, ST_INTER);
		return;
	case ST_INTER:
		free(ip->inter_pem);
		ip->inter_pem = text;
		defer_step(ip, ST_FEDERATE);
		return;
	default:
		free(text);
		fail(ip, "internal error: unexpected step");
	}
}

static void
start_step(struct instprin *ip, enum step st)
{
	static const char *const paths[] = { "", "/instance/region", "/identity/cert.pem",
		"/identity/key.pem", "/identity/intermediate.pem" };
	const char *hdrs[] = { "Authorization: Bearer Oracle" };
	struct http_request req;
	char url[1024];

	ip->step = st;
	snprintf(url, sizeof(url), "%s%s", ip->imds_url, paths[st]);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = url;
	req.headers = hdrs;
	req.n_headers = 1;
	req.timeout_ms = IMDS_TIMEOUT_MS;
	req.tls_verify = 1;
	req.max_response = 256 * 1024;
	ip->xfer = http_submit(ip->http, &req, on_imds_done, ip);
	if (ip->xfer == NULL)
		fail(ip, "cannot start the instance metadata request %s", url);
}

void
instprin_refresh(struct instprin *ip)
{
	if (ip->step != ST_IDLE)
		return;
	evtimer_del(ip->timer);
	/* Certificates rotate: fetch all of them again on every refresh.  The region is the
	 * instance's own, asked once (as the SDKs do): it decides the federation endpoint
	 * whatever region the Logging endpoint is in.  Marked as running now, started from
	 * the loop (callers may be inside an http callback). */
	ip->step = ip->region == NULL ? ST_REGION : ST_CERT;
	defer_step(ip, ip->step);
}

void
instprin_invalidate(struct instprin *ip)
{
	ip->exp = 0;
	instprin_refresh(ip);
}
