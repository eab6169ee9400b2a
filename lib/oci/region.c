/* region.c — see region.h. */
#include "region.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct region_row {
	const char *id, *code, *realm;
};

/* Sorted by id; 85 rows, so a linear scan per lookup is cheap (done once at startup). */
static const struct region_row regions[] = {
	{ "af-casablanca-1", "lej", "oc1" },
	{ "af-johannesburg-1", "jnb", "oc1" },
	{ "ap-batam-1", "hsg", "oc1" },
	{ "ap-chiyoda-1", "nja", "oc8" },
	{ "ap-chuncheon-1", "yny", "oc1" },
	{ "ap-chuncheon-2", "bno", "oc35" },
	{ "ap-dcc-canberra-1", "wga", "oc10" },
	{ "ap-dcc-gazipur-1", "dac", "oc15" },
	{ "ap-delhi-1", "onm", "oc1" },
	{ "ap-hyderabad-1", "hyd", "oc1" },
	{ "ap-ibaraki-1", "ukb", "oc8" },
	{ "ap-kulai-2", "jbp", "oc1" },
	{ "ap-melbourne-1", "mel", "oc1" },
	{ "ap-mumbai-1", "bom", "oc1" },
	{ "ap-osaka-1", "kix", "oc1" },
	{ "ap-seoul-1", "icn", "oc1" },
	{ "ap-seoul-2", "dtz", "oc35" },
	{ "ap-singapore-1", "sin", "oc1" },
	{ "ap-singapore-2", "xsp", "oc1" },
	{ "ap-suwon-1", "dln", "oc35" },
	{ "ap-sydney-1", "syd", "oc1" },
	{ "ap-tokyo-1", "nrt", "oc1" },
	{ "ca-montreal-1", "yul", "oc1" },
	{ "ca-toronto-1", "yyz", "oc1" },
	{ "eu-amsterdam-1", "ams", "oc1" },
	{ "eu-budapest-1", "jsk", "oc51" },
	{ "eu-crissier-1", "avf", "oc24" },
	{ "eu-dcc-dublin-1", "ork", "oc14" },
	{ "eu-dcc-dublin-2", "snn", "oc14" },
	{ "eu-dcc-milan-1", "bgy", "oc14" },
	{ "eu-dcc-milan-2", "mxp", "oc14" },
	{ "eu-dcc-rating-1", "dus", "oc14" },
	{ "eu-dcc-rating-2", "dtm", "oc14" },
	{ "eu-dcc-zurich-1", "avz", "oc24" },
	{ "eu-frankfurt-1", "fra", "oc1" },
	{ "eu-frankfurt-2", "str", "oc19" },
	{ "eu-jovanovac-1", "beg", "oc20" },
	{ "eu-madrid-1", "mad", "oc1" },
	{ "eu-madrid-2", "vll", "oc19" },
	{ "eu-madrid-3", "orf", "oc1" },
	{ "eu-marseille-1", "mrs", "oc1" },
	{ "eu-milan-1", "lin", "oc1" },
	{ "eu-paris-1", "cdg", "oc1" },
	{ "eu-stockholm-1", "arn", "oc1" },
	{ "eu-turin-1", "nrq", "oc1" },
	{ "eu-zurich-1", "zrh", "oc1" },
	{ "il-jerusalem-1", "mtz", "oc1" },
	{ "me-abudhabi-1", "auh", "oc1" },
	{ "me-abudhabi-2", "rkt", "oc29" },
	{ "me-abudhabi-3", "ahu", "oc26" },
	{ "me-abudhabi-4", "shj", "oc29" },
	{ "me-alain-1", "rba", "oc26" },
	{ "me-alrayyan-1", "vve", "oc21" },
	{ "me-dcc-doha-1", "doh", "oc21" },
	{ "me-dcc-muscat-1", "mct", "oc9" },
	{ "me-dubai-1", "dxb", "oc1" },
	{ "me-ibri-1", "ibr", "oc9" },
	{ "me-jeddah-1", "jed", "oc1" },
	{ "me-riyadh-1", "ruh", "oc1" },
	{ "mx-monterrey-1", "mty", "oc1" },
	{ "mx-queretaro-1", "qro", "oc1" },
	{ "sa-bogota-1", "bog", "oc1" },
	{ "sa-riodejaneiro-1", "hnw", "oc52" },
	{ "sa-santiago-1", "scl", "oc1" },
	{ "sa-saopaulo-1", "gru", "oc1" },
	{ "sa-valparaiso-1", "vap", "oc1" },
	{ "sa-vinhedo-1", "vcp", "oc1" },
	{ "uk-cardiff-1", "cwl", "oc1" },
	{ "uk-gov-cardiff-1", "brs", "oc4" },
	{ "uk-gov-london-1", "ltn", "oc4" },
	{ "uk-london-1", "lhr", "oc1" },
	{ "us-ashburn-1", "iad", "oc1" },
	{ "us-ashburn-2", "yxj", "oc42" },
	{ "us-chicago-1", "ord", "oc1" },
	{ "us-gov-ashburn-1", "ric", "oc3" },
	{ "us-gov-chicago-1", "pia", "oc3" },
	{ "us-gov-phoenix-1", "tus", "oc3" },
	{ "us-langley-1", "lfi", "oc2" },
	{ "us-luke-1", "luf", "oc2" },
	{ "us-newark-1", "pgc", "oc42" },
	{ "us-phoenix-1", "phx", "oc1" },
	{ "us-saltlake-2", "aga", "oc1" },
	{ "us-sanjose-1", "sjc", "oc1" },
	{ "us-somerset-1", "ebb", "oc23" },
	{ "us-thames-1", "ebl", "oc23" },
};

static const struct {
	const char *realm, *domain;
} realms[] = {
	{ "oc1", "oraclecloud.com" }, { "oc2", "oraclegovcloud.com" },
	{ "oc3", "oraclegovcloud.com" }, { "oc4", "oraclegovcloud.uk" },
	{ "oc8", "oraclecloud8.com" }, { "oc9", "oraclecloud9.com" },
	{ "oc10", "oraclecloud10.com" }, { "oc14", "oraclecloud14.com" },
	{ "oc15", "oraclecloud15.com" }, { "oc19", "oraclecloud.eu" },
	{ "oc20", "oraclecloud20.com" }, { "oc21", "oraclecloud21.com" },
	{ "oc23", "oraclecloud23.com" }, { "oc24", "oraclecloud24.com" },
	{ "oc26", "oraclecloud26.com" }, { "oc29", "oraclecloud29.com" },
	{ "oc35", "oraclecloud35.com" }, { "oc42", "oraclecloud42.com" },
	{ "oc51", "oraclecloud51.com" }, { "oc52", "oraclecloud52.com" },
};

const char *
region_realm_domain(const char *realm)
{
	size_t i;

	for (i = 0; i < sizeof(realms) / sizeof(realms[0]); i++)
		if (strcasecmp(realms[i].realm, realm) == 0)
			return realms[i].domain;
	return NULL;
}

int
region_lookup(const char *name, struct region_info *out)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		if (strcasecmp(regions[i].id, name) == 0 ||
		    strcasecmp(regions[i].code, name) == 0) {
			out->id = regions[i].id;
			out->code = regions[i].code;
			out->realm = regions[i].realm;
			out->domain = region_realm_domain(regions[i].realm);
			return 0;
		}
	}
	return -1;
}

/* A region name must be a plain DNS label sequence; anything else is a config typo. */
static int
valid_name(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 200)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.')
			return 0;
	return 1;
}

int
region_from_imds(const char *body, size_t len, char *out, size_t size)
{
	struct region_info ri;
	size_t i;

	while (len > 0 && isspace((unsigned char)body[0]))
		body++, len--;
	while (len > 0 && isspace((unsigned char)body[len - 1]))
		len--;
	if (len == 0 || len >= size || memchr(body, '\0', len) != NULL)
		return -1;
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)body[i]);
	out[len] = '\0';
	if (!valid_name(out))
		return -1;
	if (region_lookup(out, &ri) == 0) {
		if (strlen(ri.id) >= size)
			return -1;
		strcpy(out, ri.id);
	}
	return 0;
}

static int
build(const char *service, const char *region, const char *infix, char *out, size_t size)
{
	struct region_info ri;
	char lower[256];
	size_t i;
	int n;

	if (!valid_name(region) || !valid_name(service))
		return -1;
	for (i = 0; region[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)region[i]);
	lower[i] = '\0';
	if (strchr(lower, '.') != NULL)
		n = snprintf(out, size, "https://%s.%s", service, lower);
	else if (region_lookup(lower, &ri) == 0)
		n = snprintf(out, size, "https://%s.%s.%s%s", service, ri.id, infix, ri.domain);
	else
		n = snprintf(out, size, "https://%s.%s.%soraclecloud.com", service, lower, infix);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int
region_logging_endpoint(const char *region, char *out, size_t size)
{
	return build("logging", region, "oci.", out, size);
}

int
region_service_endpoint(const char *service, const char *region, char *out, size_t size)
{
	return build(service, region, "", out, size);
}

int
region_from_streaming(const char *servers, char *out, size_t size)
{
	const char *p = servers;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ','), *host, *h, *lab[8];
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p), hl, nl = 0, ll[8];
		const char *scheme;

		while (n > 0 && isspace((unsigned char)*p))
			p++, n--;
		/* librdkafka also takes "PROTOCOL://host:port". */
		host = p;
		scheme = memchr(p, ':', n);
		if (scheme != NULL && (size_t)(p + n - scheme) > 3 && scheme[1] == '/' &&
		    scheme[2] == '/')
			host = scheme + 3;
		hl = (size_t)(p + n - host);
		for (h = host; h < host + hl && *h != ':' && !isspace((unsigned char)*h); h++)
			;
		hl = (size_t)(h - host);
		/* The host's labels (a name of more than 8 is none of OCI's). */
		for (h = host; h < host + hl && nl < 8; nl++) {
			const char *dot = memchr(h, '.', (size_t)(host + hl - h));
			lab[nl] = h;
			ll[nl] = dot != NULL ? (size_t)(dot - h) : (size_t)(host + hl - h);
			h = dot != NULL ? dot + 1 : host + hl;
		}
		for (size_t i = 0; h == host + hl && i + 3 < nl; i++)
			if (ll[i] == 9 && strncasecmp(lab[i], "streaming", 9) == 0 &&
			    ll[i + 2] == 3 && strncasecmp(lab[i + 2], "oci", 3) == 0 &&
			    ll[i + 1] > 0 && region_from_imds(lab[i + 1], ll[i + 1], out, size) == 0)
				return 0;
		p = end != NULL ? end + 1 : NULL;
	}
	return -1;
}
