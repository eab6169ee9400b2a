/*
 * fuzz_template — libFuzzer target over the http sink's template renderer
 * (lib/format/template.c), whose input is an event built from OCI's records: any JSON object,
 * with numbers beyond 64 bits, deep nesting, odd escapes (make fuzz; tests/fuzz/run.sh).
 *
 * Each input is rendered through a fixed template with placeholders inside and outside
 * strings, flattened and nested paths.  Checks: render returns 0 or -1, leaves the
 * output untouched on -1, and on 0 the output is one valid JSON value (yajl's tree
 * parser, which also validates UTF-8).  Any violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_template: check failed: %s (line %d)\n", #cond, \
			    __LINE__);                                                    \
			abort();                                                          \
		}                                                                         \
	} while (0)

static struct template *tpl;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct buf out;
	int rc;

	if (tpl == NULL) {
		tpl = template_new("{\"all\": {{message}}, \"s\": \"x={{event.id}} n={{n}}\", "
		    "\"o\": {{oci}}, \"f\": \"{{a.b}}\", \"n\": {{n}}, \"l\": \"{{l}}\", "
		    "\"m\": {{missing.path}}}", err, sizeof(err));
		CHECK(tpl != NULL);
	}
	buf_init(&out, 0);
	CHECK(buf_append_str(&out, "pre") == 0);
	rc = template_render(tpl, (const char *)data, size, &out, err, sizeof(err));
	CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		CHECK(out.len == 3 && memcmp(out.data, "pre", 3) == 0);
	} else {
		char e[256];
		yajl_val v = yajl_tree_parse(out.data + 3, e, sizeof(e));
		if (v == NULL)
			fprintf(stderr, "fuzz_template: not JSON: %s\n%s\n", e, out.data + 3);
		CHECK(v != NULL);
		yajl_tree_free(v);
	}
	buf_cleanup(&out);
	return 0;
}
