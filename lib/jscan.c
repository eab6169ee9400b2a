/* jscan.c — see jscan.h.  Grammar and string decoding follow yajl 2.1 (yajl_lex.c,
 * yajl_encode.c) so that swapping it in changes no accepted input and no decoded value. */
#include "jscan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SW_ONES  0x0101010101010101ULL
#define SW_HIGHS 0x8080808080808080ULL

struct jscan {
	const char *in;
	size_t pos;              /* consumed, see jscan_consumed */
	char *scratch;           /* decoded escaped strings */
	size_t scratch_cap;
	const char *err;
	unsigned char stack[JSCAN_MAX_DEPTH]; /* '{' or '[' per open container */
};

/*
 * Per byte: 1 = needs a look inside a string ('"', '\\', control characters), 2 = a
 * UTF-8 lead or continuation byte (only looked at when validating).  The plain-byte run
 * in a string is the hot loop: one table lookup per byte.
 */
static const unsigned char str_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

struct jscan *
jscan_new(void)
{
	return calloc(1, sizeof(struct jscan));
}

void
jscan_free(struct jscan *js)
{
	if (js == NULL)
		return;
	free(js->scratch);
	free(js);
}

size_t
jscan_consumed(const struct jscan *js)
{
	return js->pos;
}

const char *
jscan_error(const struct jscan *js)
{
	return js->err != NULL ? js->err : "parse error";
}

/* yajl's whitespace: JSON's four plus \v and \f. */
static inline const unsigned char *
skip_ws(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == '\v' ||
	    *p == '\f'))
		p++;
	return p;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static unsigned
hex4(const unsigned char *p)
{
	return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 |
	    hexval(p[3]));
}

/* yajl_encode.c's Utf32toUtf8: returns the length written (1..4). */
static size_t
utf32_to_utf8(unsigned cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)((cp >> 6) | 0xC0);
		o[1] = (char)((cp & 0x3F) | 0x80);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)((cp >> 12) | 0xE0);
		o[1] = (char)(((cp >> 6) & 0x3F) | 0x80);
		o[2] = (char)((cp & 0x3F) | 0x80);
		return 3;
	}
	if (cp < 0x200000) {
		o[0] = (char)((cp >> 18) | 0xF0);
		o[1] = (char)(((cp >> 12) & 0x3F) | 0x80);
		o[2] = (char)(((cp >> 6) & 0x3F) | 0x80);
		o[3] = (char)((cp & 0x3F) | 0x80);
		return 4;
	}
	o[0] = '?';
	return 1;
}

/*
 * yajl 2.1's yajl_string_decode, ported index for index (a lone high surrogate becomes
 * "?"; test_jscan compares with the installed yajl): s[0..len) is the already validated
 * string body.  Into js->scratch; -1 = no memory.
 */
static int
decode(struct jscan *js, const unsigned char *s, size_t len, size_t *outlen)
{
	size_t beg = 0, end = 0, o = 0;
	char *d;

	if (len + 1 > js->scratch_cap) {
		/* decoding never grows a string: len bytes are enough */
		size_t nc = len + 64;
		char *nd = realloc(js->scratch, nc);
		if (nd == NULL)
			return -1;
		js->scratch = nd;
		js->scratch_cap = nc;
	}
	d = js->scratch;
	while (end < len) {
		char u8[4];
		const char *unesc = "?";
		size_t ul = 1;

		if (s[end] != '\\') {
			end++;
			continue;
		}
		memcpy(d + o, s + beg, end - beg);
		o += end - beg;
		switch (s[++end]) {
		case 'r': unesc = "\r"; break;
		case 'n': unesc = "\n"; break;
		case '\\': unesc = "\\"; break;
		case '/': unesc = "/"; break;
		case '"': unesc = "\""; break;
		case 'f': unesc = "\f"; break;
		case 'b': unesc = "\b"; break;
		case 't': unesc = "\t"; break;
		case 'u': {
			unsigned cp = hex4(s + ++end);
			end += 3;
			if ((cp & 0xFC00) == 0xD800) {
				if (end + 2 < len && s[end + 1] == '\\' && s[end + 2] == 'u') {
					unsigned sur;
					end++;
					sur = hex4(s + end + 2);
					cp = ((cp & 0x3F) << 10) | ((((cp >> 6) & 0xF) + 1) << 16) |
					    (sur & 0x3FF);
					end += 5;
				} else {
					break; /* "?" */
				}
			}
			ul = utf32_to_utf8(cp, u8);
			unesc = u8;
			break;
		}
		default:
			break; /* cannot happen: validated by the lexer */
		}
		memcpy(d + o, unesc, ul);
		o += ul;
		beg = ++end;
	}
	if (beg < end) {
		memcpy(d + o, s + beg, end - beg);
		o += end - beg;
	}
	d[o] = '\0';
	*outlen = o;
	return 0;
}

/*
 * Lexes a string whose opening quote is at *pp - 1.  On success *pp is just after the
 * closing quote and *s and *n the value (into the input, or decoded into the scratch).
 * -1 with js->err on invalid text.
 */
/* Inlined: a record has ~60 strings, and the call (with -fstack-protector-strong's canary
 * for the 8-byte load below) cost ~15 % of lexing. */
static inline __attribute__((always_inline)) int
lex_string(struct jscan *js, const unsigned char **pp, const unsigned char *end,
    int utf8, const unsigned char **s, size_t *n)
{
	const unsigned char *p = *pp, *start = p;
	int escapes = 0;

	for (;;) {
		unsigned char c;

		/* 8 bytes a step while none needs a look ('"', '\\', < 0x20, and >= 0x80 when
		 * validating): the byte loop alone was 20 % of the daemon's profile.  The
		 * lowest flagged byte of each test below is exact (borrows only propagate
		 * upwards), so it is the first byte to look at (little-endian load). */
		for (;;) {
			uint64_t v, t;
			if (end - p < 8) {
				while (p < end && str_class[*p] == 0)
					p++;
				break;
			}
			memcpy(&v, p, 8);
			t = ((v ^ SW_ONES * '"') - SW_ONES) & ~(v ^ SW_ONES * '"');
			t |= ((v ^ SW_ONES * '\\') - SW_ONES) & ~(v ^ SW_ONES * '\\');
			t |= (v - SW_ONES * 0x20) & ~v;
			t &= SW_HIGHS;
			if (utf8)
				t |= v & SW_HIGHS;
			if (t != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				p += __builtin_ctzll(t) >> 3;
#else
				while (str_class[*p] == 0)
					p++;
#endif
				break;
			}
			p += 8;
		}
		if (p >= end) {
			js->err = "premature EOF";
			goto bad;
		}
		c = *p;
		if (c == '"')
			break;
		if (c == '\\') {
			if (p + 1 >= end) {
				js->err = "premature EOF";
				goto bad;
			}
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
			case 't':
				p += 2;
				break;
			case 'u':
				if (p + 6 > end) {
					js->err = "premature EOF";
					goto bad;
				}
				if (hexval(p[2]) < 0 || hexval(p[3]) < 0 || hexval(p[4]) < 0 ||
				    hexval(p[5]) < 0) {
					p += 2;
					js->err = "invalid (non-hex) character occurs after '\\u' inside string";
					goto bad;
				}
				p += 6;
				break;
			default:
				p++;
				js->err = "inside a JSON string, a backslash must be followed by one of \"\\/bfnrtu";
				goto bad;
			}
			escapes = 1;
			continue;
		}
		if (c < 0x20) {
			js->err = "invalid character inside string";
			goto bad;
		}
		/* c >= 0x80 */
		if (utf8) {
			int more = (c >> 5) == 0x6 ? 1 : (c >> 4) == 0x0e ? 2 : (c >> 3) == 0x1e ? 3 : -1;
			if (more < 0) {
				js->err = "invalid bytes in UTF8 string";
				goto bad;
			}
			p++;
			while (more-- > 0) {
				if (p >= end) {
					js->err = "premature EOF";
					goto bad;
				}
				if ((*p >> 6) != 0x2) {
					js->err = "invalid bytes in UTF8 string";
					goto bad;
				}
				p++;
			}
		} else {
			p++;
		}
	}
	*pp = p + 1;
	if (!escapes) {
		*s = start;
		*n = (size_t)(p - start);
		return 0;
	}
	if (decode(js, start, (size_t)(p - start), n) != 0) {
		js->err = "out of memory";
		goto bad;
	}
	*s = (const unsigned char *)js->scratch;
	return 0;
bad:
	js->pos = (size_t)(p - (const unsigned char *)js->in);
	return -1;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?  as yajl_lex_number. */
static const unsigned char *
lex_number(struct jscan *js, const unsigned char *p, const unsigned char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p >= end)
		goto eof;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	} else {
		js->err = "malformed number, a digit is required after the minus sign";
		return NULL;
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end)
			goto eof;
		if (!(*p >= '0' && *p <= '9')) {
			js->err = "malformed number, a digit is required after the decimal point";
			return NULL;
		}
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end)
			goto eof;
		if (!(*p >= '0' && *p <= '9')) {
			js->err = "malformed number, a digit is required after the exponent";
			return NULL;
		}
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	return p;
eof:
	js->err = "premature EOF";
	return NULL;
}

int
jscan_parse(struct jscan *js, const yajl_callbacks *cb, void *ctx, const char *in,
    size_t len, int flags)
{
	const unsigned char *p = (const unsigned char *)in, *end = p + len, *s;
	int utf8 = (flags & JSCAN_VALIDATE_UTF8) != 0, seen = 0;
	size_t depth = 0, n;

	js->in = in;
	js->pos = 0;
	js->err = NULL;
	for (;;) {
		p = skip_ws(p, end);
		if (p >= end) {
			if (seen)
				return 0;
			js->err = "premature EOF";
			goto bad;
		}
		if (seen && !(flags & JSCAN_MULTIPLE)) {
			js->err = "trailing garbage";
			goto bad;
		}
		seen = 1;
value:
		p = skip_ws(p, end);
		if (p >= end) {
			js->err = "premature EOF";
			goto bad;
		}
		switch (*p) {
		case '{':
		case '[':
			if (depth >= JSCAN_MAX_DEPTH) {
				js->err = "nesting too deep";
				goto bad;
			}
			js->stack[depth++] = *p;
			p++;
			js->pos = (size_t)(p - (const unsigned char *)in);
			if (p[-1] == '{') {
				if (cb->yajl_start_map != NULL && !cb->yajl_start_map(ctx))
					goto stopped;
				p = skip_ws(p, end);
				if (p < end && *p == '}')
					goto close;
				goto key;
			}
			if (cb->yajl_start_array != NULL && !cb->yajl_start_array(ctx))
				goto stopped;
			p = skip_ws(p, end);
			if (p < end && *p == ']')
				goto close;
			goto value;
		case '"':
			p++;
			if (lex_string(js, &p, end, utf8, &s, &n) != 0)
				return -1;
			js->pos = (size_t)(p - (const unsigned char *)in);
			if (cb->yajl_string != NULL && !cb->yajl_string(ctx, s, n))
				goto stopped;
			goto after;
		case 't':
		case 'f':
		case 'n': {
			const char *lit = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
			size_t ll = strlen(lit), i;
			for (i = 0; i < ll; i++, p++) {
				if (p >= end) {
					js->err = "premature EOF";
					goto bad;
				}
				if (*p != (unsigned char)lit[i]) {
					js->err = "invalid string in json text";
					goto bad;
				}
			}
			js->pos = (size_t)(p - (const unsigned char *)in);
			if (lit[0] == 'n') {
				if (cb->yajl_null != NULL && !cb->yajl_null(ctx))
					goto stopped;
			} else if (cb->yajl_boolean != NULL && !cb->yajl_boolean(ctx, lit[0] == 't')) {
				goto stopped;
			}
			goto after;
		}
		default:
			if (*p == '-' || (*p >= '0' && *p <= '9')) {
				const unsigned char *q = lex_number(js, p, end);
				if (q == NULL)
					goto bad;
				js->pos = (size_t)(q - (const unsigned char *)in);
				if (cb->yajl_number != NULL &&
				    !cb->yajl_number(ctx, (const char *)p, (size_t)(q - p)))
					goto stopped;
				p = q;
				goto after;
			}
			js->err = "invalid char in json text";
			goto bad;
		}
key:
		p = skip_ws(p, end);
		if (p >= end) {
			js->err = "premature EOF";
			goto bad;
		}
		if (*p != '"') {
			js->err = "invalid object key (must be a string)";
			goto bad;
		}
		p++;
		if (lex_string(js, &p, end, utf8, &s, &n) != 0)
			return -1;
		js->pos = (size_t)(p - (const unsigned char *)in);
		if (cb->yajl_map_key != NULL && !cb->yajl_map_key(ctx, s, n))
			goto stopped;
		p = skip_ws(p, end);
		if (p >= end) {
			js->err = "premature EOF";
			goto bad;
		}
		if (*p != ':') {
			js->err = "object key and value must be separated by a colon (':')";
			goto bad;
		}
		p++;
		goto value;
after:
		if (depth == 0)
			continue;
		p = skip_ws(p, end);
		if (p >= end) {
			js->err = "premature EOF";
			goto bad;
		}
		if (*p == ',') {
			p++;
			if (js->stack[depth - 1] == '{')
				goto key;
			goto value;
		}
		if (*p != (js->stack[depth - 1] == '{' ? '}' : ']')) {
			js->err = js->stack[depth - 1] == '{' ?
			    "after key and value, inside map, I expect ',' or '}'" :
			    "after array element, I expect ',' or ']'";
			goto bad;
		}
close:
		/* *p is the bracket closing stack[depth - 1] */
		p++;
		js->pos = (size_t)(p - (const unsigned char *)in);
		if (js->stack[--depth] == '{') {
			if (cb->yajl_end_map != NULL && !cb->yajl_end_map(ctx))
				goto stopped;
		} else if (cb->yajl_end_array != NULL && !cb->yajl_end_array(ctx)) {
			goto stopped;
		}
		goto after;
	}
bad:
	js->pos = (size_t)(p - (const unsigned char *)in);
	return -1;
stopped:
	js->err = "client cancelled parse via callback return value";
	return 1;
}
