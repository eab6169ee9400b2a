/*
 * secmask.h — mask credentials in text that came back from OCI.
 *
 * An error body may echo the request (a proxy's or a gateway's 500 that quotes the
 * Authorization header): `keyId="ST$<session token>"` and the signature would otherwise
 * reach the journal, /healthz and dead-letter records.  secmask() replaces:
 *   keyId="..." and signature="..."  (any case)   -> keyId="***"
 *   ST$<token>                                     -> ST$***
 *   Bearer <token>                                 -> Bearer ***
 *   each of the given secrets (8+ characters), also its prefix of 16+ characters cut
 *   off at the end of the text                     -> ***
 */
#ifndef SECMASK_H
#define SECMASK_H

#include <stddef.h>

/* A new string (free()); NULL only when out of memory.  secrets may hold NULLs. */
char *secmask(const char *in, const char *const *secrets, size_t nsecrets);

#endif
