/*
 * ocisim.h — shared declarations of the OCI Logging simulator (tests/sim/ocisim).
 *
 * gen.c   deterministic record stream (and NDJSON records files)
 * pki.c   the instance metadata service, the federation endpoint and its tokens
 * main.c  flags, the evhttp server, SearchLogs, signature checks, faults, summary
 */
#ifndef OCISIM_H
#define OCISIM_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum { GEN_AUDIT = 1, GEN_FLOW = 2, GEN_ALL = 3 };

struct gen_file;

struct gen {
	uint64_t seed;
	uint64_t rate_num, rate_den; /* records per second = num / den */
	double flow_share;           /* 0..1 */
	int64_t audit_delay_ms;      /* -1 = the realistic default (2-8 s) */
	int64_t flow_delay_ms;       /* -1 = the realistic default (55-90 s) */
	const char *tenancy;
	struct gen_file *file;       /* records file mode, NULL = generated */
};

/* Indices of the records whose datetime is in [start_ms, end_ms): [*kmin, *kmax). */
void gen_range(const struct gen *g, int64_t start_ms, int64_t end_ms, uint64_t *kmin,
    uint64_t *kmax);
/*
 * Appends record k (a results[i].data object, one line of compact JSON) to out when it
 * matches kinds and is already ingested at now_ms.  1 appended, 0 skipped, -1 no memory.
 */
int gen_record(const struct gen *g, uint64_t k, unsigned kinds, int64_t now_ms,
    struct buf *out);

/* Records file (NDJSON of data objects, or bare logContent objects): 0 or -1 (message). */
int gen_load_file(struct gen *g, const char *path, char *err, size_t errlen);
void gen_free_file(struct gen *g);

/* "2025-03-14T09:00:05[.123]Z" / "+hh:mm" or plain epoch ms -> epoch ms; 0 or -1. */
int parse_time(const char *s, int64_t *ms);

/* pki.c */
struct pki;
/* Builds CA, intermediate and leaf (subject carries opc-tenant:<tenancy>).  NULL on error. */
struct pki *pki_new(const char *tenancy, const char *region, int64_t token_ttl_s);
void pki_free(struct pki *p);
/* The IMDS GET paths below /opc/v2: body into out, content type; 0 or -1 (404). */
int pki_imds(struct pki *p, const char *path, struct buf *out, const char **ctype);
/*
 * POST /v1/x509: checks the leaf-key signature (authorization header, signing string
 * rebuilt by the caller) and the body, issues a token.  Returns HTTP status; on 200 out
 * holds {"token":...}; otherwise reason describes the refusal.
 */
int pki_federate(struct pki *p, const char *key_id, const char *signing_string,
    const char *signature, const char *body, size_t len, struct buf *out, char *reason,
    size_t rlen);
/* The session public key for an ST$ token; NULL with reason (unknown, expired). */
EVP_PKEY *pki_token_key(struct pki *p, const char *token, int64_t now_s, char *reason,
    size_t rlen);
unsigned pki_tokens_issued(const struct pki *p);

#endif
