/* signer.c — see signer.h. */
#include "signer.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "regfile.h"

struct signer {
	EVP_PKEY *key;
	char *key_id;
};

static void
openssl_reason(char *dst, size_t n)
{
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		snprintf(dst, n, "unknown OpenSSL error");
	else
		ERR_error_string_n(e, dst, n);
	ERR_clear_error();
}

/* OpenSSL's pass phrase callback: the phrase, or "" so that no prompt ever happens. */
static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pass = u;
	size_t n;

	(void)rwflag;
	if (pass == NULL || size <= 0)
		return 0;
	n = strlen(pass);
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, pass, n);
	return (int)n;
}

/* memmem is a GNU extension; keys are small, so a plain scan is fine. */
static int
contains(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return 1;
	return 0;
}

EVP_PKEY *
signer_load_key_pem(const char *pem, size_t len, const char *pass, struct signer_err *err)
{
	EVP_PKEY *k = NULL;
	BIO *bio;
	char why[200];
	int encrypted;

	if (len > 1024 * 1024 || len > (size_t)0x7fffffff) {
		snprintf(err->msg, sizeof(err->msg), "private key is too large");
		return NULL;
	}
	encrypted = contains(pem, len, "ENCRYPTED");
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	ERR_clear_error();
	/* Unencrypted keys ignore the callback, so an inherited pass phrase is harmless. */
	k = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, (void *)(uintptr_t)pass);
	BIO_free(bio);
	if (k == NULL) {
		openssl_reason(why, sizeof(why));
		if (encrypted && (pass == NULL || *pass == '\0'))
			snprintf(err->msg, sizeof(err->msg),
			    "private key is encrypted and no pass_phrase is configured");
		else if (encrypted)
			snprintf(err->msg, sizeof(err->msg),
			    "cannot decrypt private key: wrong pass_phrase? (%s)", why);
		else
			snprintf(err->msg, sizeof(err->msg),
			    "not a PEM private key (PKCS#1 or PKCS#8 expected): %s", why);
		return NULL;
	}
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		EVP_PKEY_free(k);
		snprintf(err->msg, sizeof(err->msg), "private key is not RSA (OCI needs RSA)");
		return NULL;
	}
	return k;
}

EVP_PKEY *
signer_load_key_file(const char *path, const char *pass, struct signer_err *err)
{
	struct buf b;
	EVP_PKEY *k = NULL;
	char chunk[4096];
	size_t n;
	FILE *f;

	f = regfile_fopen(path, "rb");
	if (f == NULL) {
		snprintf(err->msg, sizeof(err->msg), "cannot open private key file %s: %s", path,
		    regfile_strerror(errno));
		return NULL;
	}
	buf_init(&b, 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(&b, chunk, n) != 0) {
			snprintf(err->msg, sizeof(err->msg), "private key file %s is too large",
			    path);
			goto done;
		}
	}
	if (ferror(f)) {
		snprintf(err->msg, sizeof(err->msg), "cannot read private key file %s", path);
		goto done;
	}
	k = signer_load_key_pem(b.data != NULL ? b.data : "", b.len, pass, err);
	if (k == NULL) {
		char tmp[512];
		snprintf(tmp, sizeof(tmp), "%s", err->msg);
		snprintf(err->msg, sizeof(err->msg), "%.200s: %.300s", path, tmp);
	}
done:
	if (b.data != NULL)
		OPENSSL_cleanse(b.data, b.len);
	buf_cleanup(&b);
	fclose(f);
	return k;
}

int
signer_key_fingerprint(EVP_PKEY *key, char out[48])
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int len, i, rc = -1;

	len = i2d_PUBKEY(key, &der);
	if (len <= 0)
		return -1;
	if (EVP_Digest(der, (size_t)len, md, &mdlen, EVP_md5(), NULL) == 1 && mdlen == 16) {
		for (i = 0; i < 16; i++)
			snprintf(out + i * 3, 4, i == 15 ? "%02x" : "%02x:", md[i]);
		rc = 0;
	}
	OPENSSL_free(der);
	return rc;
}

void
signer_body_sha256(const void *body, size_t len, char out[48])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(body != NULL ? body : (const void *)"", len, md);
	EVP_EncodeBlock((unsigned char *)out, md, SHA256_DIGEST_LENGTH);
}

char *
signer_format_date(int64_t epoch_s, char out[40])
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
		"Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)epoch_s;
	struct tm tm;

	/* Names by hand: strftime would follow the locale. */
	gmtime_r(&t, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
	    tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	return out;
}

int64_t
signer_now_s(void)
{
	const char *skew = getenv("OCI_LOGFWD_CLOCK_SKEW_S");
	int64_t now = (int64_t)time(NULL);

	if (skew != NULL && *skew != '\0')
		now += strtoll(skew, NULL, 10);
	return now;
}

int
signer_url_parts(const char *url, char *host, size_t host_size, const char **target)
{
	const char *p = strstr(url, "://"), *h, *end;
	const char *at;
	size_t n;

	if (p == NULL)
		return -1;
	h = p + 3;
	end = h + strcspn(h, "/?#");
	/* Drop any userinfo; it never goes on the wire as part of Host. */
	at = memchr(h, '@', (size_t)(end - h));
	if (at != NULL)
		h = at + 1;
	n = (size_t)(end - h);
	if (n == 0 || n >= host_size)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	*target = *end == '\0' || *end == '#' ? "/" : end;
	return 0;
}

struct signer *
signer_new(EVP_PKEY *key, const char *key_id, struct signer_err *err)
{
	struct signer *s = calloc(1, sizeof(*s));

	if (s == NULL || signer_set(s, key, key_id) != 0) {
		free(s);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	return s;
}

int
signer_set(struct signer *s, EVP_PKEY *key, const char *key_id)
{
	char *id = strdup(key_id);

	if (id == NULL || EVP_PKEY_up_ref(key) != 1) {
		free(id);
		return -1;
	}
	EVP_PKEY_free(s->key);
	free(s->key_id);
	s->key = key;
	s->key_id = id;
	return 0;
}

void
signer_free(struct signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->key);
	free(s->key_id);
	free(s);
}

const char *
signer_key_id(const struct signer *s)
{
	return s->key_id;
}

char *
signer_sign_raw(EVP_PKEY *key, const void *data, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *sig = NULL;
	char *b64 = NULL;
	size_t siglen = 0;

	if (ctx == NULL)
		return NULL;
	/* RSA's default padding is PKCS#1 v1.5, which is what OCI expects. */
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSignUpdate(ctx, data, len) != 1 ||
	    EVP_DigestSignFinal(ctx, NULL, &siglen) != 1)
		goto done;
	sig = malloc(siglen);
	if (sig == NULL || EVP_DigestSignFinal(ctx, sig, &siglen) != 1)
		goto done;
	b64 = malloc(4 * ((siglen + 2) / 3) + 1);
	if (b64 != NULL)
		EVP_EncodeBlock((unsigned char *)b64, sig, (int)siglen);
done:
	free(sig);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return b64;
}

int
signer_verify_raw(EVP_PKEY *pub, const void *data, size_t len, const char *sig_b64)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char *sig = NULL;
	size_t b64len = strlen(sig_b64), siglen;
	int n, ok = 0;

	if (b64len == 0 || b64len % 4 != 0 || b64len > 8192)
		return 0;
	sig = malloc(b64len);
	if (sig == NULL)
		return 0;
	n = EVP_DecodeBlock(sig, (const unsigned char *)sig_b64, (int)b64len);
	if (n < 0)
		goto done;
	siglen = (size_t)n;
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	if (sig_b64[b64len - 1] == '=')
		siglen--;
	if (sig_b64[b64len - 2] == '=')
		siglen--;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		goto done;
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
done:
	EVP_MD_CTX_free(ctx);
	free(sig);
	ERR_clear_error();
	return ok;
}

static int
is_body_method(const char *m)
{
	return strcasecmp(m, "POST") == 0 || strcasecmp(m, "PUT") == 0 ||
	    strcasecmp(m, "PATCH") == 0;
}

int
signer_sign(const struct signer *s, const struct signer_input *in,
    struct signer_output *out, struct signer_err *err)
{
	struct buf ss, auth;
	const char *target, *m;
	char *sig = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* Sized by what goes in, not capped: a long page token makes a long target and a
	 * session token a long keyId, and both are limited explicitly below. */
	buf_init(&ss, 0);
	buf_init(&auth, 0);
	if (signer_url_parts(in->url, out->host, sizeof(out->host), &target) != 0) {
		snprintf(err->msg, sizeof(err->msg), "cannot sign: bad URL %.200s", in->url);
		goto done;
	}
	if (strlen(target) > SIGNER_MAX_TARGET) {
		snprintf(err->msg, sizeof(err->msg), "cannot sign: the request target (path and "
		    "query) is %zu bytes, over the limit of %d", strlen(target), SIGNER_MAX_TARGET);
		goto done;
	}
	if (strlen(s->key_id) > SIGNER_MAX_KEY_ID) {
		snprintf(err->msg, sizeof(err->msg), "cannot sign: the keyId is %zu bytes, over "
		    "the limit of %d", strlen(s->key_id), SIGNER_MAX_KEY_ID);
		goto done;
	}
	if (in->date != NULL)
		snprintf(out->date, sizeof(out->date), "%s", in->date);
	else
		signer_format_date(signer_now_s(), out->date);
	out->has_body = is_body_method(in->method);
	if (out->has_body) {
		snprintf(out->content_length, sizeof(out->content_length), "%zu",
		    in->body_len);
		snprintf(out->content_type, sizeof(out->content_type), "%s",
		    in->content_type != NULL ? in->content_type : "application/json");
		signer_body_sha256(in->body, in->body_len, out->x_content_sha256);
	}
	if (buf_printf(&ss, "date: %s\n(request-target): ", out->date) != 0)
		goto oom;
	/* The method is lower-cased; the target goes exactly as on the wire. */
	for (m = in->method; *m != '\0'; m++)
		if (buf_append_char(&ss, (char)(*m >= 'A' && *m <= 'Z' ? *m + 32 : *m)) != 0)
			goto oom;
	if (buf_printf(&ss, " %s", target) != 0)
		goto oom;
	if (!(in->flags & SIGNER_OMIT_HOST) && buf_printf(&ss, "\nhost: %s", out->host) != 0)
		goto oom;
	if (out->has_body &&
	    buf_printf(&ss, "\ncontent-length: %s\ncontent-type: %s\nx-content-sha256: %s",
		out->content_length, out->content_type, out->x_content_sha256) != 0)
		goto oom;
	sig = signer_sign_raw(s->key, ss.data, ss.len);
	if (sig == NULL) {
		snprintf(err->msg, sizeof(err->msg), "RSA signing failed");
		goto done;
	}
	if (buf_printf(&auth, "Signature version=\"1\",headers=\"date (request-target)%s%s\","
		"keyId=\"%s\",algorithm=\"rsa-sha256\",signature=\"%s\"",
		(in->flags & SIGNER_OMIT_HOST) ? "" : " host",
		out->has_body ? " content-length content-type x-content-sha256" : "",
		s->key_id, sig) != 0)
		goto oom;
	out->signing_string = buf_steal(&ss, NULL);
	out->authorization = buf_steal(&auth, NULL);
	rc = 0;
	goto done;
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory while signing");
done:
	free(sig);
	buf_cleanup(&ss);
	buf_cleanup(&auth);
	return rc;
}

void
signer_output_cleanup(struct signer_output *o)
{
	if (o == NULL)
		return;
	free(o->signing_string);
	free(o->authorization);
	o->signing_string = o->authorization = NULL;
}

int
signer_parse_authorization(const char *value, struct signer_auth *out)
{
	const char *p = value;

	memset(out, 0, sizeof(*out));
	while (*p == ' ')
		p++;
	if (strncasecmp(p, "Signature", 9) != 0 || (p[9] != ' ' && p[9] != '\0'))
		return -1;
	p += 9;
	for (;;) {
		const char *name, *v, *q;
		size_t nlen;
		char **slot = NULL;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		name = p;
		while (*p != '=' && *p != '\0')
			p++;
		if (*p != '=' || p[1] != '"')
			goto fail;
		nlen = (size_t)(p - name);
		v = p + 2;
		q = strchr(v, '"');
		if (q == NULL)
			goto fail;
		if (nlen == 7 && strncmp(name, "version", 7) == 0)
			slot = &out->version;
		else if (nlen == 7 && strncmp(name, "headers", 7) == 0)
			slot = &out->headers;
		else if (nlen == 5 && strncmp(name, "keyId", 5) == 0)
			slot = &out->key_id;
		else if (nlen == 9 && strncmp(name, "algorithm", 9) == 0)
			slot = &out->algorithm;
		else if (nlen == 9 && strncmp(name, "signature", 9) == 0)
			slot = &out->signature;
		if (slot != NULL) {
			free(*slot);
			*slot = strndup(v, (size_t)(q - v));
			if (*slot == NULL)
				goto fail;
		}
		p = q + 1;
	}
	return 0;
fail:
	signer_auth_cleanup(out);
	return -1;
}

void
signer_auth_cleanup(struct signer_auth *a)
{
	if (a == NULL)
		return;
	free(a->version);
	free(a->headers);
	free(a->key_id);
	free(a->algorithm);
	free(a->signature);
	memset(a, 0, sizeof(*a));
}
