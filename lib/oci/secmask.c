/*
 * secmask.c — mask credentials echoed in OCI's error text (see secmask.h).
 */
#include "secmask.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MASK "***"

/* Characters of a token (base64, base64url, JWT dots, OCIDs). */
static int
token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '.' || c == '_' || c == '-' || c == '+' || c == '/' || c == '=' || c == '~' ||
	    c == ':';
}

/* Length of the secret that starts at p: all of it, or a 16+ prefix cut at the end. */
static size_t
secret_at(const char *p, size_t left, const char *sec)
{
	size_t n = sec != NULL ? strlen(sec) : 0;

	if (n < 8)
		return 0;
	if (left >= n)
		return memcmp(p, sec, n) == 0 ? n : 0;
	return left >= 16 && memcmp(p, sec, left) == 0 ? left : 0;
}

char *
secmask(const char *in, const char *const *secrets, size_t nsecrets)
{
	/* Also as escaped inside a JSON string that was not decoded. */
	static const char *const quoted[] = { "keyId=\"", "signature=\"", "keyId=\\\"",
	    "signature=\\\"" };
	size_t len = strlen(in), i = 0, o = 0, k, m;
	/* Each replacement grows the text by at most 3 (an empty quoted value). */
	char *out = malloc(2 * len + 8);

	if (out == NULL)
		return NULL;
	while (i < len) {
		for (k = 0; k < sizeof(quoted) / sizeof(quoted[0]); k++) {
			m = strlen(quoted[k]);
			if (len - i >= m && strncasecmp(in + i, quoted[k], m) == 0)
				break;
		}
		if (k < sizeof(quoted) / sizeof(quoted[0])) {
			memcpy(out + o, in + i, m);
			o += m;
			i += m;
			memcpy(out + o, MASK, 3);
			o += 3;
			while (i < len && in[i] != '"' && in[i] != '\\')
				i++;
			continue;
		}
		if (len - i >= 3 && memcmp(in + i, "ST$", 3) == 0) {
			memcpy(out + o, "ST$" MASK, 6);
			o += 6;
			i += 3;
			while (i < len && token_char(in[i]))
				i++;
			continue;
		}
		if (len - i >= 7 && strncasecmp(in + i, "Bearer ", 7) == 0) {
			memcpy(out + o, in + i, 7);
			o += 7;
			i += 7;
			while (i < len && in[i] == ' ')
				i++;
			memcpy(out + o, MASK, 3);
			o += 3;
			while (i < len && token_char(in[i]))
				i++;
			continue;
		}
		for (k = 0, m = 0; k < nsecrets && m == 0; k++)
			m = secret_at(in + i, len - i, secrets[k]);
		if (m > 0) {
			memcpy(out + o, MASK, 3);
			o += 3;
			i += m;
			continue;
		}
		out[o++] = in[i++];
	}
	out[o] = '\0';
	return out;
}
