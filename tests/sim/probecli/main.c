/*
 * probecli — test driver for probe.h: `probecli CONFIG` loads the configuration and runs
 * probe_run on stdout, exiting with its status (78 for a bad configuration).  The same as
 * `oci-logfwd --probe -c CONFIG`, for tests that run before the daemon is wired to it.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "probe.h"

int
main(int argc, char **argv)
{
	struct conf_err err;
	struct conf *c;
	struct event_base *base;
	struct sigaction sa;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: probecli CONFIG\n");
		return 64;
	}
	log_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	memset(&err, 0, sizeof(err));
	c = conf_load(argv[1], &err);
	if (c == NULL) {
		fprintf(stderr, "%s", err.text ? err.text : "cannot load the configuration\n");
		conf_err_cleanup(&err);
		return 78;
	}
	base = event_base_new();
	if (base == NULL) {
		conf_free(c);
		return 1;
	}
	rc = probe_run(base, c, stdout);
	event_base_free(base);
	conf_free(c);
	return rc;
}
