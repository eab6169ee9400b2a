/*
 * ocicfg.h — the OCI SDK/CLI configuration file (~/.oci/config).
 *
 * INI file, [PROFILE] sections, key = value.  A key missing from the chosen profile is
 * taken from [DEFAULT] (Python configparser / Go SDK behaviour).  Key names are
 * case-insensitive; values are trimmed; the value is everything after the first '='.
 * Pure module: never logs; errors go to struct ocicfg_err with the fix spelled out.
 */
#ifndef OCI_LOGFWD_OCICFG_H
#define OCI_LOGFWD_OCICFG_H

#include <stddef.h>

struct ocicfg_err {
	char msg[512];
};

/* One resolved profile; every string heap-owned, NULL when absent. */
struct ocicfg_profile {
	char *user;
	char *fingerprint;
	char *key_file;            /* ~ already expanded */
	char *tenancy;
	char *region;
	char *pass_phrase;         /* also read from "passphrase" (Go SDK) */
	char *security_token_file; /* ~ already expanded */
};

/*
 * Reads path (NULL = "~/.oci/config") and resolves profile (NULL = "DEFAULT") into *out
 * (caller cleans up with ocicfg_profile_cleanup).  Returns 0, or -1 with err set: missing
 * file, unknown profile (the message lists the profiles found).  Does not validate which
 * keys are present: see ocicfg_signing_mode.
 */
int ocicfg_load(const char *path, const char *profile, struct ocicfg_profile *out,
    struct ocicfg_err *err);
/* Frees the strings and zeroes *p.  NULL is a no-op. */
void ocicfg_profile_cleanup(struct ocicfg_profile *p);

/*
 * Decides how a profile signs, and checks it has what that needs.  Like the Go SDK's
 * file configuration provider: a profile with `user` (its own or from [DEFAULT]) signs
 * with the API key (tenancy, key_file, user, fingerprint as lowercase colon hex), even
 * when it also has security_token_file; one without `user` but with security_token_file
 * signs with the session token (tenancy, key_file).  want_token (`auth = security_token`)
 * chooses the session token whatever else the profile has.  Returns 0 for the API key,
 * 1 for the session token, or -1 naming the missing key and the file.
 */
int ocicfg_signing_mode(const struct ocicfg_profile *p, int want_token, const char *path,
    const char *profile, struct ocicfg_err *err);

/* "~" or "~/x" -> $HOME (or the passwd entry) + rest; other paths copied.  New, or NULL. */
char *ocicfg_expand_home(const char *path);

/*
 * Refuses a private key file that group or others can access (like ssh): 0 when the mode
 * is 0600/0400 (or stricter), -1 with a message including "chmod 600 PATH" otherwise, or
 * when the file cannot be stat'ed.
 */
int ocicfg_check_key_perms(const char *path, struct ocicfg_err *err);

/* 1 when s looks like "xx:xx:...:xx" (16 lowercase hex pairs). */
int ocicfg_fingerprint_valid(const char *s);

#endif
