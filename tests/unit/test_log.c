/* test_log.c — every log line is one line: control characters from the network are
 * escaped (no forged log line), in the message and in source/sink names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Runs one log_msg with stderr redirected to a temporary file; returns what it wrote
 * (static buffer, NUL-terminated). */
static char captured[16384];

static const char *
capture(enum log_level lvl, const char *source, const char *sink, const char *text)
{
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	log_msg(lvl, source, sink, "%s", text);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(captured, 1, sizeof(captured) - 1, tmp);
	captured[n] = '\0';
	fclose(tmp);
	return captured;
}

/* The line count of s (newlines). */
static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static int
setup(void **state)
{
	unsetenv("JOURNAL_STREAM");
	log_init();
	log_set_level(LOG_LVL_DEBUG);
	return 0;
}

/* The reproduction: an OCI error message with CR/LF forging a notice line. */
static void
test_forged_line(void **state)
{
	const char *out = capture(LOG_LVL_WARNING, "audit", NULL,
	    "HTTP 400 from OCI: bad query\r\nnotice: finished: everything delivered");

	assert_int_equal(count_lines(out), 1);
	assert_string_equal(out, "warning: [source audit] HTTP 400 from OCI: bad query\\r\\n"
	    "notice: finished: everything delivered\n");
}

/* Every C0 byte and DEL is escaped; printable ASCII and UTF-8 text stay as they are. */
static void
test_every_control(void **state)
{
	char in[64];
	size_t k = 0;
	const char *out, *body;

	for (int c = 1; c < 0x20; c++)
		in[k++] = (char)c;
	in[k++] = 0x7f;
	in[k] = '\0';
	out = capture(LOG_LVL_ERROR, NULL, NULL, in);
	assert_int_equal(count_lines(out), 1);
	body = out + strlen("error: ");
	assert_string_equal(body,
	    "\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\t\\n\\x0b\\x0c\\r\\x0e\\x0f"
	    "\\x10\\x11\\x12\\x13\\x14\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\x1d\\x1e\\x1f"
	    "\\x7f\n");
	for (const char *p = out; *p != '\0'; p++)
		if (p[1] != '\0')
			assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f);

	out = capture(LOG_LVL_INFO, NULL, NULL, "caf\xc3\xa9 \\n stays, \xe2\x82\xac too");
	assert_string_equal(out, "info: caf\xc3\xa9 \\n stays, \xe2\x82\xac too\n");
}

/* C1 controls (NEL U+0085, CSI U+009B) are escaped; U+00A0 and above are text. */
static void
test_c1_controls(void **state)
{
	const char *out = capture(LOG_LVL_INFO, NULL, NULL, "a\xc2\x85" "b\xc2\x9b" "c\xc2\xa0" "d");

	assert_string_equal(out, "info: a\\u0085b\\u009bc\xc2\xa0" "d\n");
}

/* A source or sink name is escaped too (it reaches the same line). */
static void
test_names(void **state)
{
	const char *out = capture(LOG_LVL_NOTICE, NULL, "x\nerror: y", "m");

	assert_int_equal(count_lines(out), 1);
	assert_string_equal(out, "notice: [sink x\\nerror: y] m\n");
	out = capture(LOG_LVL_NOTICE, "s\r", NULL, "m");
	assert_string_equal(out, "notice: [source s\\r] m\n");
}

/* A long message of newlines is cut, still one line, never in the middle of an escape. */
static void
test_long_message_cut_whole(void **state)
{
	char *in = malloc(5000);
	const char *out, *body;
	size_t n;

	assert_non_null(in);
	memset(in, '\n', 4999);
	in[4999] = '\0';
	out = capture(LOG_LVL_INFO, NULL, NULL, in);
	free(in);
	assert_int_equal(count_lines(out), 1);
	body = out + strlen("info: ");
	n = strlen(body) - 1; /* without the final newline */
	assert_true(n > 1000 && n < 4096);
	assert_int_equal(n % 2, 0);
	for (size_t i = 0; i < n; i += 2)
		assert_memory_equal(body + i, "\\n", 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forged_line),
		cmocka_unit_test(test_every_control),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_long_message_cut_whole),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
