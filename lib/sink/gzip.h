/*
 * gzip.h — whole-buffer gzip (RFC 1952) with libdeflate, for request bodies.
 *
 * libdeflate compresses a complete buffer in one call (about twice zlib's speed); a batch
 * body is always complete before it is sent, so streaming buys nothing here.  Pure module.
 */
#ifndef OCI_LOGFWD_GZIP_H
#define OCI_LOGFWD_GZIP_H

#include <stddef.h>

#include "buf.h"

/*
 * Compression level used by the sinks: libdeflate's fastest, most of the ratio on JSON.
 * bench/bench_page -z L over 100,000 ECS events of ocisim records in ~1 MiB bodies
 * (libdeflate 1.14, 2-vCPU AMD EPYC, CPU per record, 2026-11-30):
 *   level 1: 2.9 us, 10.1:1   level 2: 4.4 us, 10.4:1   level 3: 4.6 us, 11.0:1
 *   level 4: 5.2 us, 11.5:1   level 6: 6.7 us, 12.3:1   level 9: 13.0 us, 13.0:1
 * (zlib 1.2.13 at level 1: 4.9 us, 8.9:1.)  No lower level exists (0 stores), so gzip
 * costs ~2.5-3 us a record on top of the encoding; a higher level buys little ratio.
 */
#define GZIP_LEVEL_DEFAULT 1

/*
 * Replaces out's contents with the gzip of in[0..len) at level (1..12).  Returns 0, or -1
 * (out of memory, or the result exceeds out->max); out is then empty.
 */
int gzip_compress(const void *in, size_t len, int level, struct buf *out);

/*
 * Replaces out's contents with the decompressed gzip stream in[0..len) (one member).
 * Returns 0, or -1 when the data is not valid gzip or would exceed max_out bytes
 * (0 = 256 MiB).  Used by the sink simulator and the tests.
 */
int gzip_decompress(const void *in, size_t len, size_t max_out, struct buf *out);

#endif
