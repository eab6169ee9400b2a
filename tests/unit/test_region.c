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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logging_endpoints),
		cmocka_unit_test(test_service_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
