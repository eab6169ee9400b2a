/*
 * source_kafka.h — a [source] of type = streaming: a Kafka topic (OCI Streaming speaks
 * the Kafka protocol) read as a member of a consumer group with librdkafka.
 *
 * Start the same daemon on N hosts with one group_id and the topic's partitions are
 * shared between them; when one dies, the others take its partitions over.  Each
 * message is one log entry (what Service Connector Hub writes), a search-result-shaped
 * object, or a JSON array of either; each entry goes through the same normalizer,
 * routing and sinks as a search source's records.
 *
 * Offsets are the checkpoint: a partition's offset is committed only up to the last
 * message that every routed sink acknowledged (delivered or dead-lettered), contiguously;
 * auto-commit is off.  On a rebalance that revokes partitions the source stops reading
 * them, waits up to shutdown_timeout for their in-flight events, commits what was
 * acknowledged and only then lets the group go on: the new owner re-reads the rest (at
 * least once; never a gap).  A full sink pauses every owned partition.  A message that
 * is not JSON or not a log entry is counted, dead-lettered and committed.
 *
 * librdkafka runs on the event loop: its consumer queue signals a pipe that libevent
 * watches, and every callback is served from rd_kafka_consumer_poll(rk, 0), never
 * blocking the loop (except a bounded synchronous commit when partitions are revoked
 * and at shutdown).
 *
 * source.c hands every call of its API to this module for a streaming source; the
 * functions mirror source.h.
 */
#ifndef OCI_LOGFWD_SOURCE_KAFKA_H
#define OCI_LOGFWD_SOURCE_KAFKA_H

#include <stddef.h>

#include "source.h"

struct ksource;
struct buf;

/* owner: the struct source handed to env->finished; stats: where its counters live
 * (both owned by source.c). */
struct ksource *ksource_new(const struct conf_source *cfg, const struct source_env *env,
    struct source *owner, struct source_stats *stats, char *err, size_t errlen);
int ksource_set_routes(struct ksource *k, struct sink *const *sinks,
    const struct conf_sink *const *cfgs, size_t n);
/* source_wake of a streaming source: held back by a full sink, it looks again now. */
void ksource_wake(struct ksource *k);
int ksource_start(struct ksource *k);
void ksource_stop_polling(struct ksource *k);
/* Commits what was acknowledged, leaves the group, frees.  NULL is a no-op. */
void ksource_free(struct ksource *k);
int ksource_busy(const struct ksource *k);
/* 0 while no broker has been reachable for SOURCE_WAIT_UNHEALTHY_MS (scaled). */
int ksource_healthy(const struct ksource *k);
/* 0, 1 (source_had_losses), or SOURCE_REFUSED: the brokers refused the credentials. */
int ksource_had_losses(const struct ksource *k);

/*
 * --probe of a streaming source (blocking, each request bounded by timeout_ms): connects
 * and authenticates, reads each topic's partition count and the group's lag.  0 when
 * all is well, -1 otherwise; detail says what was found, fix what to change.
 */
int ksource_probe(const struct conf_source *cfg, int timeout_ms, struct buf *detail,
    struct buf *fix);

/* Prometheus families for the streaming sources among n (NULL entries skipped):
 * consumer lag per partition, rebalances, partitions owned.  0 or -1 (memory). */
int ksource_metrics(struct ksource *const *ks, size_t n, struct buf *out);

#endif
