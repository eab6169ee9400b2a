/*
 * sink_auth.c — see sink_auth.h.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "sink_auth.h"

/* The key a scheme is made from; NULL when it is not set. */
static const char *
scheme_key(const struct conf_sink *cfg, enum sink_auth a, const char **from)
{
	switch (a) {
	case SINK_AUTH_APIKEY:
		*from = "api_key";
		return cfg->api_key;
	case SINK_AUTH_BEARER:
	case SINK_AUTH_SPLUNK:
		*from = "token";
		return cfg->token;
	case SINK_AUTH_BASIC:
		*from = "username";
		return cfg->username;
	case SINK_AUTH_END:
		break;
	}
	return NULL;
}

static int
basic(struct buf *out, const char *user, const char *password)
{
	struct buf in;
	unsigned char *b64 = NULL;
	int rc = -1, n;

	buf_init(&in, 8192);
	if (buf_printf(&in, "%s:%s", user ? user : "", password ? password : "") != 0)
		goto done;
	b64 = malloc(4 * ((in.len + 2) / 3) + 1);
	if (b64 == NULL)
		goto done;
	n = EVP_EncodeBlock(b64, (const unsigned char *)in.data, (int)in.len);
	if (n < 0)
		goto done;
	rc = buf_printf(out, "Authorization: Basic %s", (char *)b64);
	OPENSSL_cleanse(b64, (size_t)n);
done:
	if (in.data != NULL)
		OPENSSL_cleanse(in.data, in.len); /* the password */
	buf_cleanup(&in);
	free(b64);
	return rc;
}

int
sink_auth_header(const struct conf_sink *cfg, const enum sink_auth *schemes, char **hdr,
    const char **from)
{
	const char *v = NULL, *key = NULL;
	struct buf b;
	int rc;

	*hdr = NULL;
	*from = NULL;
	for (; schemes != NULL && *schemes != SINK_AUTH_END; schemes++)
		if ((v = scheme_key(cfg, *schemes, &key)) != NULL)
			break;
	if (v == NULL)
		return 0;
	buf_init(&b, 16384);
	switch (*schemes) {
	case SINK_AUTH_APIKEY:
		rc = buf_printf(&b, "Authorization: ApiKey %s", v);
		break;
	case SINK_AUTH_BEARER:
		rc = buf_printf(&b, "Authorization: Bearer %s", v);
		break;
	case SINK_AUTH_SPLUNK:
		rc = buf_printf(&b, "Authorization: Splunk %s", v);
		break;
	default:
		rc = basic(&b, v, cfg->password);
		break;
	}
	if (rc != 0) {
		if (b.data != NULL)
			OPENSSL_cleanse(b.data, b.len);
		buf_cleanup(&b);
		return -1;
	}
	*hdr = buf_steal(&b, NULL);
	*from = key;
	return 0;
}
