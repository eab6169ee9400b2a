/*
 * signer.h — OCI HTTP request signatures ("Signature version 1", draft-cavage-08,
 * rsa-sha256), byte for byte as the Go/Python SDKs produce them.
 *
 * Signed headers: date (request-target) host, and for POST/PUT/PATCH also
 * content-length content-type x-content-sha256.  Authorization is written in the
 * Go/docs parameter order (version, headers, keyId, algorithm, signature), which
 * reproduces the published test vector exactly.
 *
 * Pure module: no logging, no I/O except reading a key file.  The only environment
 * read is OCI_LOGFWD_CLOCK_SKEW_S (TEST ONLY: signed seconds added to the clock used
 * for the Date header, so tests can play a client whose clock is off).
 */
#ifndef OCI_LOGFWD_SIGNER_H
#define OCI_LOGFWD_SIGNER_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

struct signer_err {
	char msg[512];
};

/*
 * Loads an RSA private key from PEM: PKCS#1 ("RSA PRIVATE KEY", optionally with legacy
 * Proc-Type encryption), PKCS#8 ("PRIVATE KEY") or encrypted PKCS#8.  pass may be NULL;
 * like the Python SDK, a pass phrase given for an unencrypted key is ignored.  Text after
 * the PEM block (the OCI_API_KEY label line) is ignored.  Returns a new key (caller
 * EVP_PKEY_free) or NULL with err saying what is wrong (wrong pass phrase, not a key...).
 */
EVP_PKEY *signer_load_key_file(const char *path, const char *pass, struct signer_err *err);
EVP_PKEY *signer_load_key_pem(const char *pem, size_t len, const char *pass,
    struct signer_err *err);

/*
 * The OCI key fingerprint: MD5 of the DER SubjectPublicKeyInfo, lowercase colon hex
 * (47 chars + NUL).  0 or -1.
 */
int signer_key_fingerprint(EVP_PKEY *key, char out[48]);

/* base64(SHA-256(body)), standard alphabet, 44 chars + NUL. */
void signer_body_sha256(const void *body, size_t len, char out[48]);

/* IMF-fixdate "Thu, 05 Jan 2014 21:31:40 GMT" (C-locale names).  Returns out. */
char *signer_format_date(int64_t epoch_s, char out[40]);
/* Wall-clock seconds plus OCI_LOGFWD_CLOCK_SKEW_S (test hook, see top). */
int64_t signer_now_s(void);

/*
 * Splits an absolute URL: host = the authority as sent (with :port when explicit),
 * *target = path and query as they go on the wire ("/" when empty).  0, or -1 when the
 * URL has no scheme:// or the host does not fit.
 */
int signer_url_parts(const char *url, char *host, size_t host_size, const char **target);

struct signer;

/*
 * A signer holds a key (reference taken: caller keeps its own) and a keyId:
 * "<tenancy>/<user>/<fingerprint>" or "ST$<token>".  Returns new or NULL.
 */
struct signer *signer_new(EVP_PKEY *key, const char *key_id, struct signer_err *err);
/* Drops the key reference and frees.  NULL is a no-op. */
void signer_free(struct signer *s);
/* Replaces key and keyId together (token refresh keeps them paired).  0 or -1. */
int signer_set(struct signer *s, EVP_PKEY *key, const char *key_id);
/* The keyId in use; borrowed until the next signer_set. */
const char *signer_key_id(const struct signer *s);

enum {
	SIGNER_OMIT_HOST = 1, /* the federation (/v1/x509) request does not sign host */
};

struct signer_input {
	const char *method;       /* "GET", "POST", ...; case-insensitive */
	const char *url;          /* absolute, already percent-encoded */
	const char *date;         /* NULL = now (signer_now_s) */
	const char *content_type; /* body methods; NULL = "application/json" */
	const void *body;         /* body methods; may be NULL with body_len 0 */
	size_t body_len;
	unsigned flags;
};

/* The headers to send, exactly as signed.  Heap strings; signer_output_cleanup frees. */
struct signer_output {
	char date[40];
	char host[256];
	int has_body;             /* the next three are set (and were signed) */
	char content_length[24];
	char content_type[128];
	char x_content_sha256[48];
	char *signing_string;
	char *authorization;      /* the value, "Signature version=..." */
};

/*
 * Limits on what is signed.  Not memory: the buffers grow to fit.  They bound what a
 * server can make us build (a page token comes back in the next URL) at sizes far beyond
 * any real request: OCI page tokens are well under 1 KiB and security tokens a few KiB.
 */
#define SIGNER_MAX_TARGET (4 * 1024 * 1024) /* path + query, as on the wire */
#define SIGNER_MAX_KEY_ID (256 * 1024)      /* "ST$" + a security token */

/* Signs.  0, or -1 with err (bad URL, target or keyId over its limit, OpenSSL failure). */
int signer_sign(const struct signer *s, const struct signer_input *in,
    struct signer_output *out, struct signer_err *err);
/* Frees the output's strings (NULL and repeated calls are fine). */
void signer_output_cleanup(struct signer_output *o);

/*
 * Raw RSA-SHA256 (PKCS#1 v1.5) over data, base64 into a new string.  Used by signer_sign
 * and by tests; NULL on failure.
 */
char *signer_sign_raw(EVP_PKEY *key, const void *data, size_t len);
/* 1 when sig_b64 is a valid signature of data by pub, else 0. */
int signer_verify_raw(EVP_PKEY *pub, const void *data, size_t len, const char *sig_b64);

/* A parsed Authorization: Signature header (simulator, tests).  Heap strings or NULL. */
struct signer_auth {
	char *version;
	char *headers;
	char *key_id;
	char *algorithm;
	char *signature;
};
/* 0, or -1 when the value is not "Signature k="v",...". */
int signer_parse_authorization(const char *value, struct signer_auth *out);
/* Frees the parsed strings. */
void signer_auth_cleanup(struct signer_auth *a);

#endif
