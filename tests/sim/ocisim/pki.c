/*
 * pki.c — the simulator's instance metadata service (IMDS v2) and federation endpoint.
 *
 * At start it makes a CA, an intermediate and a leaf certificate whose subject carries
 * "opc-tenant:<tenancy>" as a real instance certificate does.  POST /v1/x509 checks the
 * request was signed with the leaf key and issues a JWT bound to the session public key
 * the client sent; service requests signed "ST$<jwt>" are then verified with that key.
 * Tokens are HMAC-signed by the simulator (clients never verify them) and expire after
 * --token-ttl-s.
 */
#include "ocisim.h"

#include <jansson.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "signer.h"

struct token {
	unsigned jti;
	int64_t exp;
	EVP_PKEY *key;
};

struct pki {
	char *tenancy, *region;
	int64_t ttl_s;
	EVP_PKEY *ca_key, *int_key, *leaf_key;
	X509 *ca, *inter, *leaf;
	char *leaf_pem, *leaf_key_pem, *int_pem;
	char *leaf_b64, *int_b64;   /* DER, base64, as the federation body carries them */
	char fp_sha256[100], fp_sha1[64];
	unsigned char secret[32];
	struct token *tokens;
	size_t n_tokens, cap_tokens;
	unsigned next_jti;
};

static char *
pem_of(int (*w)(BIO *, void *), void *obj)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (b == NULL)
		return NULL;
	if (w(b, obj) == 1) {
		n = BIO_get_mem_data(b, &data);
		out = strndup(data, (size_t)n);
	}
	BIO_free(b);
	return out;
}

static int
w_cert(BIO *b, void *o)
{
	return PEM_write_bio_X509(b, o);
}

static int
w_key(BIO *b, void *o)
{
	return PEM_write_bio_PrivateKey(b, o, NULL, NULL, 0, NULL, NULL);
}

static char *
der_b64(X509 *c)
{
	unsigned char *der = NULL;
	char *out;
	int n = i2d_X509(c, &der);

	if (n <= 0)
		return NULL;
	out = malloc(4 * ((size_t)n + 2) / 3 + 4);
	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, der, n);
	OPENSSL_free(der);
	return out;
}

static X509 *
make_cert(EVP_PKEY *key, EVP_PKEY *issuer_key, X509 *issuer, const char *const *subj,
    long serial, int ca)
{
	X509 *c = X509_new();
	X509_NAME *n = X509_NAME_new();
	int i;

	if (c == NULL || n == NULL)
		goto fail;
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400L * 30);
	for (i = 0; subj[i] != NULL; i += 2)
		if (X509_NAME_add_entry_by_txt(n, subj[i], MBSTRING_ASC,
			(const unsigned char *)subj[i + 1], -1, -1, 0) != 1)
			goto fail;
	X509_set_subject_name(c, n);
	X509_set_issuer_name(c, issuer != NULL ? X509_get_subject_name(issuer) : n);
	X509_set_pubkey(c, key);
	(void)ca;
	if (X509_sign(c, issuer_key, EVP_sha256()) <= 0)
		goto fail;
	X509_NAME_free(n);
	return c;
fail:
	X509_NAME_free(n);
	X509_free(c);
	return NULL;
}

static void
cert_fp(X509 *c, const EVP_MD *md, int upper, char *out, size_t outlen)
{
	unsigned char buf[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	out[0] = '\0';
	if (X509_digest(c, md, buf, &n) != 1)
		return;
	for (i = 0; i < n && (i + 1) * 3 <= outlen; i++)
		snprintf(out + i * 3, 4, upper ? (i + 1 < n ? "%02X:" : "%02X") :
		    (i + 1 < n ? "%02x:" : "%02x"), buf[i]);
}

struct pki *
pki_new(const char *tenancy, const char *region, int64_t token_ttl_s)
{
	struct pki *p = calloc(1, sizeof(*p));
	char ou_tenant[300];
	const char *ca_subj[] = { "O", "ocisim", "CN", "ocisim test root CA (TEST ONLY)", NULL };
	const char *int_subj[] = { "O", "ocisim", "CN", "ocisim test intermediate (TEST ONLY)",
		NULL };
	const char *leaf_subj[] = { "CN", "ocid1.instance.oc1.iad.ocisiminstance", "OU",
		"opc-certtype:instance", "OU",
		"opc-compartment:ocid1.compartment.oc1..aaaaaaaaocisimcompartment", "OU",
		ou_tenant, NULL };

	if (p == NULL)
		return NULL;
	snprintf(ou_tenant, sizeof(ou_tenant), "opc-tenant:%s", tenancy);
	p->tenancy = strdup(tenancy);
	p->region = strdup(region);
	p->ttl_s = token_ttl_s;
	p->next_jti = 1;
	if (p->tenancy == NULL || p->region == NULL || RAND_bytes(p->secret, 32) != 1)
		goto fail;
	/*
	 * "opc-tenant:<tenancy OCID>" is longer than X.520's 64-character bound for OU,
	 * which OpenSSL enforces by default; real instance certificates carry it anyway.
	 */
	ASN1_STRING_TABLE_add(NID_organizationalUnitName, 1, 512, B_ASN1_UTF8STRING, 0);
	p->ca_key = EVP_RSA_gen(2048);
	p->int_key = EVP_RSA_gen(2048);
	p->leaf_key = EVP_RSA_gen(2048);
	if (p->ca_key == NULL || p->int_key == NULL || p->leaf_key == NULL)
		goto fail;
	p->ca = make_cert(p->ca_key, p->ca_key, NULL, ca_subj, 1, 1);
	if (p->ca == NULL)
		goto fail;
	p->inter = make_cert(p->int_key, p->ca_key, p->ca, int_subj, 2, 1);
	if (p->inter == NULL)
		goto fail;
	p->leaf = make_cert(p->leaf_key, p->int_key, p->inter, leaf_subj, 3, 0);
	if (p->leaf == NULL)
		goto fail;
	p->leaf_pem = pem_of(w_cert, p->leaf);
	p->int_pem = pem_of(w_cert, p->inter);
	p->leaf_key_pem = pem_of(w_key, p->leaf_key);
	p->leaf_b64 = der_b64(p->leaf);
	p->int_b64 = der_b64(p->inter);
	if (!p->leaf_pem || !p->int_pem || !p->leaf_key_pem || !p->leaf_b64 || !p->int_b64)
		goto fail;
	cert_fp(p->leaf, EVP_sha256(), 0, p->fp_sha256, sizeof(p->fp_sha256));
	cert_fp(p->leaf, EVP_sha1(), 1, p->fp_sha1, sizeof(p->fp_sha1));
	return p;
fail:
	pki_free(p);
	return NULL;
}

void
pki_free(struct pki *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_tokens; i++)
		EVP_PKEY_free(p->tokens[i].key);
	free(p->tokens);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->int_key);
	EVP_PKEY_free(p->leaf_key);
	X509_free(p->ca);
	X509_free(p->inter);
	X509_free(p->leaf);
	free(p->leaf_pem);
	free(p->int_pem);
	free(p->leaf_key_pem);
	free(p->leaf_b64);
	free(p->int_b64);
	free(p->tenancy);
	free(p->region);
	free(p);
}

unsigned
pki_tokens_issued(const struct pki *p)
{
	return p != NULL ? p->next_jti - 1 : 0;
}

int
pki_imds(struct pki *p, const char *path, struct buf *out, const char **ctype)
{
	*ctype = "text/plain";
	if (strcmp(path, "/instance/region") == 0)
		return buf_append_str(out, p->region);
	if (strcmp(path, "/instance/regionInfo") == 0) {
		*ctype = "application/json";
		return buf_printf(out, "{\"realmKey\":\"oc1\",\"realmDomainComponent\":"
		    "\"oraclecloud.com\",\"regionKey\":\"IAD\",\"regionIdentifier\":\"%s\"}",
		    p->region);
	}
	if (strcmp(path, "/identity/cert.pem") == 0)
		return buf_append_str(out, p->leaf_pem);
	if (strcmp(path, "/identity/key.pem") == 0)
		return buf_append_str(out, p->leaf_key_pem);
	if (strcmp(path, "/identity/intermediate.pem") == 0)
		return buf_append_str(out, p->int_pem);
	return -1;
}

static void
b64url(const unsigned char *in, size_t n, struct buf *out)
{
	char *tmp = malloc(4 * (n + 2) / 3 + 4);
	char *c;

	if (tmp == NULL)
		return;
	EVP_EncodeBlock((unsigned char *)tmp, in, (int)n);
	for (c = tmp; *c != '\0' && *c != '='; c++)
		buf_append_char(out, *c == '+' ? '-' : *c == '/' ? '_' : *c);
	free(tmp);
}

/* base64url (no padding) -> bytes; NULL when malformed. */
static unsigned char *
unb64url(const char *in, size_t n, size_t *outlen)
{
	char *tmp = malloc(n + 4);
	unsigned char *out;
	size_t i, m = n;
	int r;

	if (tmp == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		tmp[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	while (m % 4 != 0)
		tmp[m++] = '=';
	out = malloc(m + 1);
	if (out == NULL) {
		free(tmp);
		return NULL;
	}
	r = EVP_DecodeBlock(out, (unsigned char *)tmp, (int)m);
	free(tmp);
	if (r < 0) {
		free(out);
		return NULL;
	}
	*outlen = (size_t)r - (m - n);
	out[*outlen] = '\0';
	return out;
}

static int
issue(struct pki *p, EVP_PKEY *session, struct buf *out)
{
	struct buf t;
	char payload[512];
	unsigned char mac[32];
	unsigned int maclen = 0;
	int64_t now = (int64_t)time(NULL);
	int rc = -1;

	if (p->n_tokens == p->cap_tokens) {
		size_t nc = p->cap_tokens ? p->cap_tokens * 2 : 16;
		struct token *nt = realloc(p->tokens, nc * sizeof(*nt));
		if (nt == NULL)
			return -1;
		p->tokens = nt;
		p->cap_tokens = nc;
	}
	buf_init(&t, 0);
	b64url((const unsigned char *)"{\"alg\":\"RS256\",\"kid\":\"ocisim\",\"typ\":\"JWT\"}", 43,
	    &t);
	buf_append_char(&t, '.');
	snprintf(payload, sizeof(payload), "{\"sub\":\"ocid1.instance.oc1.iad.ocisiminstance\","
	    "\"tenant\":\"%s\",\"ttype\":\"x509\",\"jti\":\"%u\",\"iat\":%lld,\"exp\":%lld}",
	    p->tenancy, p->next_jti, (long long)now, (long long)(now + p->ttl_s));
	b64url((const unsigned char *)payload, strlen(payload), &t);
	HMAC(EVP_sha256(), p->secret, 32, (const unsigned char *)t.data, t.len, mac, &maclen);
	buf_append_char(&t, '.');
	b64url(mac, maclen, &t);
	if (t.data == NULL)
		goto done;
	p->tokens[p->n_tokens].jti = p->next_jti++;
	p->tokens[p->n_tokens].exp = now + p->ttl_s;
	p->tokens[p->n_tokens].key = session;
	p->n_tokens++;
	rc = buf_printf(out, "{\"token\":\"%s\"}", t.data);
done:
	buf_cleanup(&t);
	return rc;
}

int
pki_federate(struct pki *p, const char *key_id, const char *signing_string,
    const char *signature, const char *body, size_t len, struct buf *out, char *reason,
    size_t rlen)
{
	const char *slash, *fp;
	json_error_t jerr;
	json_t *v = NULL, *inters;
	const char *cert, *pub;
	unsigned char *der = NULL;
	const unsigned char *dp;
	size_t derlen = 0;
	EVP_PKEY *session = NULL;
	EVP_PKEY *leaf_pub;
	int status = 401;

	slash = strchr(key_id, '/');
	if (slash == NULL || (size_t)(slash - key_id) != strlen(p->tenancy) ||
	    strncmp(key_id, p->tenancy, strlen(p->tenancy)) != 0) {
		snprintf(reason, rlen, "federation keyId does not start with the leaf "
		    "certificate's tenancy");
		goto done;
	}
	if (strncmp(slash, "/fed-x509-sha256/", 17) == 0) {
		fp = slash + 17;
		if (strcasecmp(fp, p->fp_sha256) != 0) {
			snprintf(reason, rlen, "federation keyId fingerprint is not the leaf "
			    "certificate's SHA-256 fingerprint");
			goto done;
		}
	} else if (strncmp(slash, "/fed-x509/", 10) == 0) {
		fp = slash + 10;
		if (strcasecmp(fp, p->fp_sha1) != 0) {
			snprintf(reason, rlen, "federation keyId fingerprint is not the leaf "
			    "certificate's SHA-1 fingerprint");
			goto done;
		}
	} else {
		snprintf(reason, rlen, "federation keyId is not <tenancy>/fed-x509[-sha256]/<fp>");
		goto done;
	}
	leaf_pub = X509_get0_pubkey(p->leaf);
	if (!signer_verify_raw(leaf_pub, signing_string, strlen(signing_string), signature)) {
		snprintf(reason, rlen, "federation request signature does not verify with the "
		    "leaf certificate's key");
		goto done;
	}
	status = 400;
	v = json_loadb(body, len, 0, &jerr);
	cert = json_string_value(json_object_get(v, "certificate"));
	pub = json_string_value(json_object_get(v, "publicKey"));
	inters = json_object_get(v, "intermediateCertificates");
	if (cert == NULL || pub == NULL || !json_is_array(inters)) {
		snprintf(reason, rlen, "federation body lacks certificate, publicKey or "
		    "intermediateCertificates");
		goto done;
	}
	if (strcmp(cert, p->leaf_b64) != 0 || json_array_size(inters) != 1 ||
	    json_string_value(json_array_get(inters, 0)) == NULL ||
	    strcmp(json_string_value(json_array_get(inters, 0)), p->int_b64) != 0) {
		status = 401;
		snprintf(reason, rlen, "federation body certificates are not this instance's");
		goto done;
	}
	der = malloc(strlen(pub) + 1);
	if (der == NULL)
		goto done;
	{
		int n = EVP_DecodeBlock(der, (const unsigned char *)pub, (int)strlen(pub));
		if (n > 0)
			derlen = (size_t)n;
	}
	dp = der;
	session = derlen > 0 ? d2i_PUBKEY(NULL, &dp, (long)derlen) : NULL;
	if (session == NULL) {
		snprintf(reason, rlen, "federation publicKey is not a DER SubjectPublicKeyInfo");
		ERR_clear_error();
		goto done;
	}
	if (issue(p, session, out) != 0) {
		status = 500;
		snprintf(reason, rlen, "out of memory");
		goto done;
	}
	session = NULL;
	status = 200;
done:
	EVP_PKEY_free(session);
	free(der);
	json_decref(v);
	return status;
}

EVP_PKEY *
pki_token_key(struct pki *p, const char *token, int64_t now_s, char *reason, size_t rlen)
{
	const char *d1 = strchr(token, '.'), *d2;
	unsigned char mac[32], *payload = NULL, *sig = NULL;
	unsigned int maclen = 0;
	size_t plen = 0, slen = 0, i;
	json_t *v = NULL;
	EVP_PKEY *key = NULL;
	unsigned jti;

	if (p == NULL) {
		snprintf(reason, rlen, "security tokens are not accepted (simulator run without "
		    "--imds)");
		return NULL;
	}
	d2 = d1 != NULL ? strchr(d1 + 1, '.') : NULL;
	if (d2 == NULL) {
		snprintf(reason, rlen, "security token is not a JWT");
		return NULL;
	}
	HMAC(EVP_sha256(), p->secret, 32, (const unsigned char *)token, (size_t)(d2 - token),
	    mac, &maclen);
	sig = unb64url(d2 + 1, strlen(d2 + 1), &slen);
	if (sig == NULL || slen != maclen || CRYPTO_memcmp(sig, mac, maclen) != 0) {
		snprintf(reason, rlen, "security token was not issued by this simulator");
		goto done;
	}
	payload = unb64url(d1 + 1, (size_t)(d2 - d1 - 1), &plen);
	v = payload != NULL ? json_loadb((const char *)payload, plen, 0, NULL) : NULL;
	if (v == NULL || json_string_value(json_object_get(v, "jti")) == NULL) {
		snprintf(reason, rlen, "security token payload is malformed");
		goto done;
	}
	jti = (unsigned)strtoul(json_string_value(json_object_get(v, "jti")), NULL, 10);
	for (i = 0; i < p->n_tokens; i++) {
		if (p->tokens[i].jti != jti)
			continue;
		if (now_s >= p->tokens[i].exp) {
			snprintf(reason, rlen, "security token expired %lld s ago",
			    (long long)(now_s - p->tokens[i].exp));
			goto done;
		}
		key = p->tokens[i].key;
		goto done;
	}
	snprintf(reason, rlen, "security token unknown");
done:
	json_decref(v);
	free(payload);
	free(sig);
	return key;
}
