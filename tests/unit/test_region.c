/* test_region.c — region/realm tables and the endpoints the SDKs build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "region.h"

static void
check(const char *region, const char *want)
{
	char out[256];

	assert_int_equal(region_logging_endpoint(region, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
test_logging_endpoints(void **state)
{
	check("us-ashburn-1", "https://logging.us-ashburn-1.oci.oraclecloud.com");
	check("iad", "https://logging.us-ashburn-1.oci.oraclecloud.com");
	check("IAD", "https://logging.us-ashburn-1.oci.oraclecloud.com");
	check("US-Phoenix-1", "https://logging.us-phoenix-1.oci.oraclecloud.com");
	check("fra", "https://logging.eu-frankfurt-1.oci.oraclecloud.com");
	check("us-langley-1", "https://logging.us-langley-1.oci.oraclegovcloud.com");
	check("ric", "https://logging.us-gov-ashburn-1.oci.oraclegovcloud.com");
	check("uk-gov-london-1", "https://logging.uk-gov-london-1.oci.oraclegovcloud.uk");
	check("eu-madrid-2", "https://logging.eu-madrid-2.oci.oraclecloud.eu");
	check("ap-dcc-canberra-1", "https://logging.ap-dcc-canberra-1.oci.oraclecloud10.com");
	check("sa-riodejaneiro-1", "https://logging.sa-riodejaneiro-1.oci.oraclecloud52.com");
	check("hnw", "https://logging.sa-riodejaneiro-1.oci.oraclecloud52.com");
	/* unknown regions are assumed to be oc1, like the SDKs */
	check("xx-newregion-1", "https://logging.xx-newregion-1.oci.oraclecloud.com");
	/* a dotted "region" is a full domain */
	check("us-ashburn-1.oraclecloud.com", "https://logging.us-ashburn-1.oraclecloud.com");
}

static void
test_service_and_errors(void **state)
{
	struct region_info ri;
	char out[256], tiny[20];

	assert_int_equal(region_service_endpoint("auth", "iad", out, sizeof(out)), 0);
	assert_string_equal(out, "https://auth.us-ashburn-1.oraclecloud.com");
	assert_int_equal(region_service_endpoint("auth", "ltn", out, sizeof(out)), 0);
	assert_string_equal(out, "https://auth.uk-gov-london-1.oraclegovcloud.uk");
	assert_int_equal(region_logging_endpoint("", out, sizeof(out)), -1);
	assert_int_equal(region_logging_endpoint(NULL, out, sizeof(out)), -1);
	assert_int_equal(region_logging_endpoint("us ashburn", out, sizeof(out)), -1);
	assert_int_equal(region_logging_endpoint("us-ashburn-1/x", out, sizeof(out)), -1);
	assert_int_equal(region_logging_endpoint("us-ashburn-1", tiny, sizeof(tiny)), -1);
	assert_int_equal(region_lookup("nrt", &ri), 0);
	assert_string_equal(ri.id, "ap-tokyo-1");
	assert_string_equal(ri.realm, "oc1");
	assert_int_equal(region_lookup("me-abudhabi-4", &ri), 0);
	assert_string_equal(ri.code, "shj");
	assert_string_equal(ri.domain, "oraclecloud29.com");
	assert_int_equal(region_lookup("nowhere-1", &ri), -1);
	assert_string_equal(region_realm_domain("OC19"), "oraclecloud.eu");
	assert_null(region_realm_domain("oc99"));
}

/* IMDS /instance/region answers: short codes (older regions), identifiers, odd case and
 * a trailing newline all become the identifier the auth endpoint is built from. */
static void
test_imds_region(void **state)
{
	char out[64], tiny[8], ep[256];

	assert_int_equal(region_from_imds("iad", 3, out, sizeof(out)), 0);
	assert_string_equal(out, "us-ashburn-1");
	assert_int_equal(region_from_imds("PHX\n", 4, out, sizeof(out)), 0);
	assert_string_equal(out, "us-phoenix-1");
	assert_int_equal(region_from_imds(" fra ", 5, out, sizeof(out)), 0);
	assert_string_equal(out, "eu-frankfurt-1");
	assert_int_equal(region_from_imds("uk-gov-london-1", 15, out, sizeof(out)), 0);
	assert_string_equal(out, "uk-gov-london-1");
	assert_int_equal(region_from_imds("ltn", 3, out, sizeof(out)), 0);
	assert_string_equal(out, "uk-gov-london-1");
	assert_int_equal(region_service_endpoint("auth", out, ep, sizeof(ep)), 0);
	assert_string_equal(ep, "https://auth.uk-gov-london-1.oraclegovcloud.uk");
	/* a region this build does not know is kept (oc1 assumed later, like the SDKs) */
	assert_int_equal(region_from_imds("XX-New-1", 8, out, sizeof(out)), 0);
	assert_string_equal(out, "xx-new-1");
	/* only the first len bytes count */
	assert_int_equal(region_from_imds("nrtGARBAGE", 3, out, sizeof(out)), 0);
	assert_string_equal(out, "ap-tokyo-1");
	/* not a region: empty, blank, HTML error page, NUL, too long for out */
	assert_int_equal(region_from_imds("", 0, out, sizeof(out)), -1);
	assert_int_equal(region_from_imds(" \n", 2, out, sizeof(out)), -1);
	assert_int_equal(region_from_imds("<html>", 6, out, sizeof(out)), -1);
	assert_int_equal(region_from_imds("ia\0d", 4, out, sizeof(out)), -1);
	assert_int_equal(region_from_imds("us-phoenix-1", 12, tiny, sizeof(tiny)), -1);
	/* the short code fits, its identifier does not */
	assert_int_equal(region_from_imds("phx", 3, tiny, sizeof(tiny)), -1);
}

/* A streaming source's region comes from its OCI Streaming bootstrap host. */
static void
test_streaming_region(void **state)
{
	char out[64], tiny[8];

	(void)state;
	assert_int_equal(region_from_streaming("cell-1.streaming.eu-frankfurt-1.oci."
	    "oraclecloud.com:9092", out, sizeof(out)), 0);
	assert_string_equal(out, "eu-frankfurt-1");
	/* another realm, no port, a short code, upper case, a protocol prefix */
	assert_int_equal(region_from_streaming("cell-2.streaming.uk-gov-london-1.oci."
	    "oraclegovcloud.uk", out, sizeof(out)), 0);
	assert_string_equal(out, "uk-gov-london-1");
	assert_int_equal(region_from_streaming("CELL-1.Streaming.IAD.OCI.oraclecloud.com:9092",
	    out, sizeof(out)), 0);
	assert_string_equal(out, "us-ashburn-1");
	assert_int_equal(region_from_streaming("SASL_SSL://cell-1.streaming.ap-tokyo-1.oci."
	    "oraclecloud.com:9092", out, sizeof(out)), 0);
	assert_string_equal(out, "ap-tokyo-1");
	/* the first OCI host of the list */
	assert_int_equal(region_from_streaming("10.0.0.5:9092, cell-1.streaming.us-phoenix-1."
	    "oci.oraclecloud.com:9092,cell-1.streaming.ap-tokyo-1.oci.oraclecloud.com:9092",
	    out, sizeof(out)), 0);
	assert_string_equal(out, "us-phoenix-1");
	/* not OCI Streaming: another Kafka, an IP, a look-alike, nothing */
	assert_int_equal(region_from_streaming("kafka-1.example.com:9092,127.0.0.1:9092", out,
	    sizeof(out)), -1);
	assert_int_equal(region_from_streaming("streaming.eu-frankfurt-1.example.com:9092", out,
	    sizeof(out)), -1);
	assert_int_equal(region_from_streaming("cell-1.streaming.eu-frankfurt-1.oci", out,
	    sizeof(out)), -1);
	assert_int_equal(region_from_streaming("cell-1.streaming..oci.oraclecloud.com:9092",
	    out, sizeof(out)), -1);
	assert_int_equal(region_from_streaming("cell-1.streaming.eu_x.oci.oraclecloud.com",
	    out, sizeof(out)), -1);
	assert_int_equal(region_from_streaming("", out, sizeof(out)), -1);
	/* does not fit */
	assert_int_equal(region_from_streaming("cell-1.streaming.eu-frankfurt-1.oci."
	    "oraclecloud.com:9092", tiny, sizeof(tiny)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logging_endpoints),
		cmocka_unit_test(test_service_and_errors),
		cmocka_unit_test(test_imds_region),
		cmocka_unit_test(test_streaming_region),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
