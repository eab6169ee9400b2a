/*
 * kafkamock — a Kafka cluster for tests: librdkafka's own mock cluster
 * (rdkafka_mock.h), in one process, with its bootstrap list written out.
 *
 *   kafkamock [--brokers N] [--topic NAME:PARTITIONS]... [--bootstrap-file F]
 *             [--delay-on-hup APIKEY:MS:COUNT]
 *
 * Prints the bootstrap list ("127.0.0.1:PORT,...") on stdout (and to F) once the topics
 * exist, then serves until SIGTERM/SIGINT.  SIGUSR1 takes every broker down (the
 * connections are closed and refused), SIGUSR2 brings them up again.  SIGHUP arms
 * --delay-on-hup: each broker answers the next COUNT requests of Kafka API APIKEY (e.g.
 * 9, OffsetFetch) MS milliseconds late; a broker answers a connection's requests in
 * order, so everything after them on that connection waits too.  Any Kafka client
 * (kcat, the daemon) can produce, consume and use consumer groups against it.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_sig, down_sig, up_sig, hup_sig;

static void
on_sig(int sig)
{
	if (sig == SIGUSR1)
		down_sig = 1;
	else if (sig == SIGUSR2)
		up_sig = 1;
	else if (sig == SIGHUP)
		hup_sig = 1;
	else
		stop_sig = 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "brokers", required_argument, NULL, 'b' },
		{ "topic", required_argument, NULL, 't' },
		{ "bootstrap-file", required_argument, NULL, 'f' },
		{ "delay-on-hup", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *topics[32], *bfile = NULL;
	int ntopics = 0, nbrokers = 1, c;
	int delay_api = -1, delay_ms = 0, delay_cnt = 0;
	char err[512];
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mc;
	struct sigaction sa;

	while ((c = getopt_long(argc, argv, "b:t:f:d:", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			nbrokers = atoi(optarg);
			break;
		case 't':
			if (ntopics < 32)
				topics[ntopics++] = optarg;
			break;
		case 'f':
			bfile = optarg;
			break;
		case 'd':
			if (sscanf(optarg, "%d:%d:%d", &delay_api, &delay_ms, &delay_cnt) != 3 ||
			    delay_api < 0 || delay_api > 32767 || delay_ms < 0 || delay_cnt < 1) {
				fprintf(stderr, "kafkamock: bad --delay-on-hup %s "
				    "(APIKEY:MS:COUNT)\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: kafkamock [--brokers N] [--topic NAME:PARTS]... "
			    "[--bootstrap-file F] [--delay-on-hup APIKEY:MS:COUNT]\n");
			return 2;
		}
	}
	if (nbrokers < 1 || nbrokers > 16) {
		fprintf(stderr, "kafkamock: --brokers must be 1..16\n");
		return 2;
	}
	conf = rd_kafka_conf_new();
	/* The handle that hosts the cluster; it produces nothing itself. */
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (rk == NULL) {
		fprintf(stderr, "kafkamock: %s\n", err);
		return 1;
	}
	mc = rd_kafka_mock_cluster_new(rk, nbrokers);
	if (mc == NULL) {
		fprintf(stderr, "kafkamock: cannot create the mock cluster\n");
		rd_kafka_destroy(rk);
		return 1;
	}
	for (int i = 0; i < ntopics; i++) {
		char name[256];
		const char *colon = strrchr(topics[i], ':');
		int parts = colon != NULL ? atoi(colon + 1) : 1;
		size_t n = colon != NULL ? (size_t)(colon - topics[i]) : strlen(topics[i]);
		if (n == 0 || n >= sizeof(name) || parts < 1) {
			fprintf(stderr, "kafkamock: bad --topic %s (NAME:PARTITIONS)\n", topics[i]);
			return 2;
		}
		memcpy(name, topics[i], n);
		name[n] = '\0';
		if (rd_kafka_mock_topic_create(mc, name, parts, nbrokers < 3 ? nbrokers : 3) !=
		    RD_KAFKA_RESP_ERR_NO_ERROR) {
			fprintf(stderr, "kafkamock: cannot create topic %s\n", name);
			return 1;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	if (bfile != NULL) {
		char tmp[4096];
		FILE *f;
		snprintf(tmp, sizeof(tmp), "%s.tmp", bfile);
		f = fopen(tmp, "w");
		if (f == NULL || fprintf(f, "%s\n", rd_kafka_mock_cluster_bootstraps(mc)) < 0 ||
		    fclose(f) != 0 || rename(tmp, bfile) != 0) {
			fprintf(stderr, "kafkamock: cannot write %s\n", bfile);
			return 1;
		}
	}
	while (!stop_sig) {
		if (down_sig || up_sig) {
			int down = down_sig;
			down_sig = up_sig = 0;
			for (int b = 1; b <= nbrokers; b++) {
				if (down)
					rd_kafka_mock_broker_set_down(mc, b);
				else
					rd_kafka_mock_broker_set_up(mc, b);
			}
			fprintf(stderr, "kafkamock: brokers %s\n", down ? "down" : "up");
		}
		if (hup_sig) {
			hup_sig = 0;
			for (int b = 1; b <= nbrokers && delay_api >= 0; b++)
				for (int i = 0; i < delay_cnt; i++)
					rd_kafka_mock_broker_push_request_error_rtts(mc, b,
					    (int16_t)delay_api, 1, RD_KAFKA_RESP_ERR_NO_ERROR,
					    delay_ms);
			fprintf(stderr, "kafkamock: the next %d requests of API %d answered %d ms "
			    "late\n", delay_api >= 0 ? delay_cnt : 0, delay_api, delay_ms);
		}
		usleep(50000);
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
