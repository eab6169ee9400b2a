/* oci.c — see oci.h. */
#include "oci.h"

#include <errno.h>
#include <event2/event.h>
#include <openssl/rand.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "instprin.h"
#include "log.h"
#include "ocicfg.h"
#include "region.h"
#include "regfile.h"
#include "signer.h"
#include "timeutil.h"

struct oci_wait {
	struct oci_client *c;
	struct oci_wait *prev, *next;
	oci_ready_fn cb;
	void *arg;
};

struct oci_client {
	struct event_base *base;
	struct http *http;
	enum conf_auth auth;
	char *region;
	char *endpoint;
	char desc[300];
	/* api_key / session token */
	struct signer *signer;
	EVP_PKEY *key;
	char *token_file;
	struct timespec token_mtime;
	unsigned generation;
	/* instance principal */
	struct instprin *ip;
	char *last_error;
	/* waiters */
	struct oci_wait *waits;
	struct event *wake; /* runs ready waiters from the loop */
};

static void
set_err(struct oci_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_err(struct oci_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* Reads a session token file: its contents with trailing whitespace removed. */
static char *
read_token(const char *path, struct timespec *mtime, struct oci_err *err)
{
	struct stat st;
	FILE *f = regfile_fopen(path, "r");
	char *tok = NULL;
	size_t n;

	if (f == NULL || fstat(fileno(f), &st) != 0) {
		set_err(err, "cannot read security_token_file %s: %s", path,
		    regfile_strerror(errno));
		goto done;
	}
	if (st.st_size <= 0 || st.st_size > 64 * 1024) {
		set_err(err, "security_token_file %s is empty or too large", path);
		goto done;
	}
	tok = malloc((size_t)st.st_size + 1);
	if (tok == NULL) {
		set_err(err, "out of memory");
		goto done;
	}
	n = fread(tok, 1, (size_t)st.st_size, f);
	while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' ' ||
	    tok[n - 1] == '\t'))
		n--;
	tok[n] = '\0';
	*mtime = st.st_mtim;
done:
	if (f != NULL)
		fclose(f);
	return tok;
}

static int
setup_endpoint(struct oci_client *c, const struct conf_oci *conf, struct oci_err *err)
{
	char ep[512];
	size_t n;

	if (conf->endpoint != NULL) {
		c->endpoint = strdup(conf->endpoint);
		if (c->endpoint == NULL)
			return -1;
		n = strlen(c->endpoint);
		while (n > 0 && c->endpoint[n - 1] == '/')
			c->endpoint[--n] = '\0';
		return 0;
	}
	if (c->region == NULL)
		return 0;
	if (region_logging_endpoint(c->region, ep, sizeof(ep)) != 0) {
		set_err(err, "[oci] region \"%.100s\" is not a valid region name", c->region);
		return -1;
	}
	c->endpoint = strdup(ep);
	return c->endpoint != NULL ? 0 : -1;
}

static int
normalize_region(char **region)
{
	struct region_info ri;
	char *id;

	if (*region == NULL || region_lookup(*region, &ri) != 0)
		return 0;
	id = strdup(ri.id);
	if (id == NULL)
		return -1;
	free(*region);
	*region = id;
	return 0;
}

static int
setup_api_key(struct oci_client *c, const struct conf_oci *conf, struct oci_err *err)
{
	struct ocicfg_profile p;
	struct ocicfg_err cerr;
	struct signer_err serr;
	const char *path = conf->config_file != NULL ? conf->config_file : "~/.oci/config";
	const char *profile = conf->profile != NULL ? conf->profile : "DEFAULT";
	char fp[48], *key_id = NULL, *tok = NULL;
	int rc = -1, use_token;
	size_t n;

	memset(&p, 0, sizeof(p));
	if (ocicfg_load(path, profile, &p, &cerr) != 0) {
		set_err(err, "%s", cerr.msg);
		return -1;
	}
	use_token = ocicfg_signing_mode(&p, conf->auth == CONF_AUTH_SECURITY_TOKEN, path,
	    profile, &cerr);
	if (use_token < 0 || ocicfg_check_key_perms(p.key_file, &cerr) != 0) {
		set_err(err, "%s", cerr.msg);
		goto done;
	}
	c->key = signer_load_key_file(p.key_file, p.pass_phrase, &serr);
	if (c->key == NULL) {
		set_err(err, "OCI config %s [%s]: %s", path, profile, serr.msg);
		goto done;
	}
	if (signer_key_fingerprint(c->key, fp) != 0) {
		set_err(err, "cannot compute the fingerprint of %s", p.key_file);
		goto done;
	}
	if (use_token) {
		tok = read_token(p.security_token_file, &c->token_mtime, err);
		if (tok == NULL)
			goto done;
		c->token_file = strdup(p.security_token_file);
		n = strlen(tok) + 4;
		key_id = malloc(n);
		if (key_id == NULL || c->token_file == NULL)
			goto oom;
		snprintf(key_id, n, "ST$%s", tok);
		snprintf(c->desc, sizeof(c->desc), "session token %.200s with key %s",
		    p.security_token_file, p.key_file);
	} else {
		/* Not fatal (OCI is the judge), but the likeliest cause of a 401: say it now. */
		if (strcmp(fp, p.fingerprint) != 0)
			log_warning("OCI config %s [%s]: fingerprint %s does not match key_file %s, "
			    "whose fingerprint is %s; OCI will answer 401 unless the fingerprint "
			    "is fixed", path, profile, p.fingerprint, p.key_file, fp);
		n = strlen(p.tenancy) + strlen(p.user) + strlen(p.fingerprint) + 3;
		key_id = malloc(n);
		if (key_id == NULL)
			goto oom;
		snprintf(key_id, n, "%s/%s/%s", p.tenancy, p.user, p.fingerprint);
		snprintf(c->desc, sizeof(c->desc), "API key %.120s/%.80s/%s (%.60s)",
		    p.tenancy, p.user, p.fingerprint, p.key_file);
	}
	c->signer = signer_new(c->key, key_id, &serr);
	if (c->signer == NULL)
		goto oom;
	c->region = conf->region != NULL ? strdup(conf->region) :
	    p.region != NULL ? strdup(p.region) : NULL;
	if ((conf->region != NULL || p.region != NULL) && c->region == NULL)
		goto oom;
	if (normalize_region(&c->region) != 0)
		goto oom;
	if (c->region == NULL && conf->endpoint == NULL) {
		set_err(err, "no region: set `region` in OCI config %s [%s] or [oci] region "
		    "(or [oci] endpoint)", path, profile);
		goto done;
	}
	rc = 0;
	goto done;
oom:
	set_err(err, "out of memory");
done:
	free(key_id);
	free(tok);
	ocicfg_profile_cleanup(&p);
	return rc;
}

static void run_waiters(evutil_socket_t fd, short what, void *arg);

static void
on_instprin(void *arg, int ok, const char *msg)
{
	struct oci_client *c = arg;
	const char *r;

	free(c->last_error);
	c->last_error = NULL;
	if (ok) {
		log_info("instance principal: new security token for tenancy %s, expires in %lld s",
		    instprin_tenancy(c->ip) ? instprin_tenancy(c->ip) : "?",
		    (long long)(instprin_expiry(c->ip) - timeutil_now_ms() / 1000));
		r = instprin_region(c->ip);
		if (c->region == NULL && r != NULL) {
			char ep[512];
			c->region = strdup(r);
			if (c->endpoint == NULL && c->region != NULL &&
			    region_logging_endpoint(c->region, ep, sizeof(ep)) == 0)
				c->endpoint = strdup(ep);
		}
	} else {
		log_error("instance principal: %s (retrying)", msg);
		c->last_error = strdup(msg);
	}
	/* Waiters run from the loop, whatever called us. */
	event_active(c->wake, EV_TIMEOUT, 0);
}

struct oci_client *
oci_client_new(struct event_base *base, struct http *http, const struct conf_oci *conf,
    struct oci_err *err)
{
	struct oci_client *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		set_err(err, "out of memory");
		return NULL;
	}
	c->base = base;
	c->http = http;
	c->auth = conf->auth;
	c->wake = event_new(base, -1, 0, run_waiters, c);
	if (c->wake == NULL) {
		set_err(err, "out of memory");
		goto fail;
	}
	if (conf->auth != CONF_AUTH_INSTANCE_PRINCIPAL) {
		if (setup_api_key(c, conf, err) != 0)
			goto fail;
	} else {
		if (conf->region != NULL) {
			c->region = strdup(conf->region);
			if (c->region == NULL || normalize_region(&c->region) != 0)
				goto oom;
		}
		c->ip = instprin_new(base, http, conf->imds_url, conf->auth_url, on_instprin, c);
		if (c->ip == NULL)
			goto oom;
		snprintf(c->desc, sizeof(c->desc), "instance principal");
	}
	if (setup_endpoint(c, conf, err) != 0) {
		if (err->msg[0] == '\0')
			set_err(err, "out of memory");
		goto fail;
	}
	return c;
oom:
	set_err(err, "out of memory");
fail:
	oci_client_free(c);
	return NULL;
}

void
oci_client_free(struct oci_client *c)
{
	struct oci_wait *w;

	if (c == NULL)
		return;
	while ((w = c->waits) != NULL) {
		c->waits = w->next;
		free(w);
	}
	if (c->wake != NULL)
		event_free(c->wake);
	instprin_free(c->ip);
	signer_free(c->signer);
	EVP_PKEY_free(c->key);
	free(c->token_file);
	free(c->last_error);
	free(c->region);
	free(c->endpoint);
	free(c);
}

const char *
oci_client_region(const struct oci_client *c)
{
	return c->region;
}

const char *
oci_client_endpoint(const struct oci_client *c)
{
	return c->endpoint;
}

struct event_base *
oci_client_base(const struct oci_client *c)
{
	return c->base;
}

struct http *
oci_client_http(const struct oci_client *c)
{
	return c->http;
}

int
oci_client_token_based(const struct oci_client *c)
{
	return c->ip != NULL || c->token_file != NULL;
}

const char *
oci_client_describe(const struct oci_client *c)
{
	return c->desc;
}

void
oci_headers_cleanup(struct oci_headers *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		free(h->lines[i]);
	h->n = 0;
}

static int
add_line(struct oci_headers *h, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *s;

	if (h->n >= sizeof(h->lines) / sizeof(h->lines[0]) || (s = malloc(n)) == NULL)
		return -1;
	snprintf(s, n, "%s: %s", name, value);
	h->lines[h->n++] = s;
	return 0;
}

void
oci_new_request_id(char out[40])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char b[16];
	int i;

	if (RAND_bytes(b, sizeof(b)) != 1) {
		/* Not a secret: a weaker source is fine when OpenSSL's fails. */
		uint64_t x = (uint64_t)timeutil_now_ms() ^ ((uint64_t)timeutil_mono_ms() << 21);
		for (i = 0; i < 16; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			b[i] = (unsigned char)x;
		}
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[32] = '\0';
}

char *
oci_url_drop_default_port(const char *url)
{
	const char *p = strstr(url, "://"), *h, *end, *colon;
	size_t slen;
	char *out;

	out = strdup(url);
	if (out == NULL || p == NULL)
		return out;
	slen = (size_t)(p - url);
	h = p + 3;
	end = h + strcspn(h, "/?#");
	colon = end;
	while (colon > h && colon[-1] >= '0' && colon[-1] <= '9')
		colon--;
	if (colon == end || colon <= h || colon[-1] != ':')
		return out;
	colon--; /* at ':' */
	/* libcurl leaves the port out of Host when it is the scheme's default one */
	if (!((slen == 5 && strncasecmp(url, "https", 5) == 0 && end - colon == 4 &&
	    strncmp(colon, ":443", 4) == 0) ||
	    (slen == 4 && strncasecmp(url, "http", 4) == 0 && end - colon == 3 &&
	    strncmp(colon, ":80", 3) == 0)))
		return out;
	memmove(out + (colon - url), out + (end - url), strlen(end) + 1);
	return out;
}

/* A session token file that changed (oci session refresh) is picked up here. */
static void
maybe_reload_token(struct oci_client *c)
{
	struct oci_err err;
	struct stat st;
	struct timespec mt;
	char *tok, *key_id;
	size_t n;

	if (c->token_file == NULL || stat(c->token_file, &st) != 0)
		return;
	if (st.st_mtim.tv_sec == c->token_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == c->token_mtime.tv_nsec)
		return;
	tok = read_token(c->token_file, &mt, &err);
	if (tok == NULL) {
		log_warning("%s", err.msg);
		return;
	}
	n = strlen(tok) + 4;
	key_id = malloc(n);
	if (key_id != NULL) {
		snprintf(key_id, n, "ST$%s", tok);
		if (signer_set(c->signer, c->key, key_id) == 0) {
			c->token_mtime = mt;
			c->generation++;
			log_info("re-read security_token_file %s", c->token_file);
		}
	}
	free(key_id);
	free(tok);
}

int
oci_client_sign(struct oci_client *c, const char *method, const char *url,
    const void *body, size_t body_len, struct oci_headers *out, struct oci_err *err)
{
	struct signer_input in;
	struct signer_output so;
	struct signer_err serr;
	struct signer *tmp = NULL;
	const struct signer *sg;
	char *wire_url = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (c->ip != NULL) {
		const char *tok = instprin_token(c->ip, timeutil_now_ms() / 1000);
		char *key_id;
		size_t n;

		if (tok == NULL)
			return 1;
		n = strlen(tok) + 4;
		key_id = malloc(n);
		if (key_id == NULL) {
			set_err(err, "out of memory");
			return -1;
		}
		snprintf(key_id, n, "ST$%s", tok);
		tmp = signer_new(instprin_session_key(c->ip), key_id, &serr);
		free(key_id);
		if (tmp == NULL) {
			set_err(err, "out of memory");
			return -1;
		}
		sg = tmp;
		out->generation = instprin_generation(c->ip);
	} else {
		maybe_reload_token(c);
		sg = c->signer;
		out->generation = c->generation;
	}
	wire_url = oci_url_drop_default_port(url);
	if (wire_url == NULL) {
		set_err(err, "out of memory");
		goto done;
	}
	memset(&in, 0, sizeof(in));
	in.method = method;
	in.url = wire_url;
	in.body = body;
	in.body_len = body_len;
	in.content_type = "application/json";
	if (signer_sign(sg, &in, &so, &serr) != 0) {
		set_err(err, "%s", serr.msg);
		goto done;
	}
	oci_new_request_id(out->request_id);
	if (add_line(out, "Host", so.host) != 0 ||
	    add_line(out, "Date", so.date) != 0 ||
	    add_line(out, "Authorization", so.authorization) != 0 ||
	    add_line(out, "opc-request-id", out->request_id) != 0 ||
	    add_line(out, "Accept", "application/json") != 0 ||
	    (so.has_body && (add_line(out, "Content-Type", so.content_type) != 0 ||
	    add_line(out, "x-content-sha256", so.x_content_sha256) != 0))) {
		set_err(err, "out of memory");
		oci_headers_cleanup(out);
		signer_output_cleanup(&so);
		goto done;
	}
	signer_output_cleanup(&so);
	rc = 0;
done:
	free(wire_url);
	signer_free(tmp);
	return rc;
}

static int
ready(const struct oci_client *c)
{
	return c->ip == NULL || instprin_token(c->ip, timeutil_now_ms() / 1000) != NULL;
}

static void
run_waiters(evutil_socket_t fd, short what, void *arg)
{
	struct oci_client *c = arg;
	struct oci_wait *w;
	int ok = ready(c);
	char msg[512];

	if (!ok && c->ip != NULL && instprin_refreshing(c->ip))
		return; /* a refresh is under way: its end wakes us again */
	snprintf(msg, sizeof(msg), "%s", c->last_error != NULL ? c->last_error :
	    "credentials not available");
	/* Each callback may add or cancel waits: take one at a time from the head. */
	while ((w = c->waits) != NULL) {
		c->waits = w->next;
		if (c->waits != NULL)
			c->waits->prev = NULL;
		w->cb(w->arg, ok, ok ? NULL : msg);
		free(w);
	}
}

struct oci_wait *
oci_client_when_ready(struct oci_client *c, oci_ready_fn cb, void *arg)
{
	struct oci_wait *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->c = c;
	w->cb = cb;
	w->arg = arg;
	w->next = c->waits;
	if (c->waits != NULL)
		c->waits->prev = w;
	c->waits = w;
	if (ready(c) || c->ip == NULL)
		event_active(c->wake, EV_TIMEOUT, 0);
	else if (!instprin_refreshing(c->ip))
		instprin_refresh(c->ip);
	return w;
}

void
oci_wait_cancel(struct oci_wait *w)
{
	if (w == NULL)
		return;
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		w->c->waits = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	free(w);
}

int
oci_client_auth_rejected(struct oci_client *c, unsigned gen)
{
	if (c->ip != NULL) {
		if (gen == instprin_generation(c->ip) && !instprin_refreshing(c->ip)) {
			log_notice("instance principal: OCI refused the security token; refreshing it");
			instprin_invalidate(c->ip);
		}
		return 1;
	}
	if (c->token_file != NULL) {
		maybe_reload_token(c);
		return gen != c->generation; /* retry only with a token re-read since */
	}
	return 0;
}

const char *
oci_client_session_token(const struct oci_client *c)
{
	const char *k = c->signer != NULL ? signer_key_id(c->signer) : NULL;

	if (k != NULL && strncmp(k, "ST$", 3) == 0)
		return k + 3;
	return c->ip != NULL ? instprin_token(c->ip, timeutil_now_ms() / 1000) : NULL;
}
