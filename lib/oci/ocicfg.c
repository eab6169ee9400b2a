/* ocicfg.c — see ocicfg.h. */
#include "ocicfg.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "regfile.h"

enum { K_USER, K_FINGERPRINT, K_KEY_FILE, K_TENANCY, K_REGION, K_PASS, K_TOKEN, K_N };

static const char *const key_names[K_N] = {
	"user", "fingerprint", "key_file", "tenancy", "region", "pass_phrase",
	"security_token_file",
};

struct parse_ctx {
	const char *profile;
	char *def[K_N];     /* from [DEFAULT] */
	char *prof[K_N];    /* from the chosen profile */
	int found;          /* the chosen profile's section was seen */
	char sections[256]; /* names seen, for the error message */
	int oom;
};

static int
key_index(const char *name)
{
	int i;

	if (strcasecmp(name, "passphrase") == 0)
		return K_PASS;
	for (i = 0; i < K_N; i++)
		if (strcasecmp(name, key_names[i]) == 0)
			return i;
	return -1;
}

static void
note_section(struct parse_ctx *c, const char *section)
{
	size_t len = strlen(c->sections);

	if (strstr(c->sections, section) != NULL)
		return;
	if (len + strlen(section) + 3 >= sizeof(c->sections))
		return;
	if (len > 0)
		strcat(c->sections, ", ");
	strcat(c->sections, section);
}

/* inih calls this for every key; a nonzero return means "go on". */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;
	char **slot;
	int k;

	note_section(c, section);
	if (strcmp(section, c->profile) == 0)
		c->found = 1;
	if (name == NULL)
		return 1;
	k = key_index(name);
	if (k < 0)
		return 1; /* other keys (authentication_type, ...) are not ours */
	if (strcmp(section, c->profile) == 0)
		slot = &c->prof[k];
	else if (strcmp(section, "DEFAULT") == 0)
		slot = &c->def[k];
	else
		return 1;
	free(*slot);
	*slot = strdup(value);
	if (*slot == NULL)
		c->oom = 1;
	return 1;
}

char *
ocicfg_expand_home(const char *path)
{
	const char *home;
	char *out;
	size_t n;

	if (path == NULL)
		return NULL;
	if (path[0] != '~' || (path[1] != '\0' && path[1] != '/'))
		return strdup(path);
	home = getenv("HOME");
	if (home == NULL || *home == '\0') {
		struct passwd *pw = getpwuid(getuid());
		home = pw != NULL ? pw->pw_dir : "/";
	}
	n = strlen(home) + strlen(path);
	out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	snprintf(out, n + 1, "%s%s", home, path + 1);
	return out;
}

void
ocicfg_profile_cleanup(struct ocicfg_profile *p)
{
	if (p == NULL)
		return;
	free(p->user);
	free(p->fingerprint);
	free(p->key_file);
	free(p->tenancy);
	free(p->region);
	free(p->pass_phrase);
	free(p->security_token_file);
	memset(p, 0, sizeof(*p));
}

int
ocicfg_load(const char *path, const char *profile, struct ocicfg_profile *out,
    struct ocicfg_err *err)
{
	struct parse_ctx c;
	char *file = NULL, *v[K_N] = { 0 };
	FILE *f = NULL;
	int i, rc = -1;

	memset(&c, 0, sizeof(c));
	c.profile = profile != NULL && *profile != '\0' ? profile : "DEFAULT";
	file = ocicfg_expand_home(path != NULL ? path : "~/.oci/config");
	if (file == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto done;
	}
	f = regfile_fopen(file, "r");
	if (f == NULL) {
		snprintf(err->msg, sizeof(err->msg),
		    "cannot open OCI config file %s: %s (set [oci] config_file, or create it "
		    "with `oci setup config`)", file, regfile_strerror(errno));
		goto done;
	}
	/* A positive return is the first malformed line; like the Go SDK we ignore those. */
	if (ini_parse_file(f, handler, &c) < 0 || c.oom) {
		snprintf(err->msg, sizeof(err->msg), "cannot read OCI config file %s", file);
		goto done;
	}
	if (!c.found && strcmp(c.profile, "DEFAULT") != 0) {
		snprintf(err->msg, sizeof(err->msg),
		    "OCI config file %s has no profile [%s] (profiles found: %s)", file,
		    c.profile, c.sections[0] ? c.sections : "none");
		goto done;
	}
	for (i = 0; i < K_N; i++) {
		const char *src = c.prof[i] != NULL ? c.prof[i] : c.def[i];
		if (src == NULL)
			continue;
		if (i == K_KEY_FILE || i == K_TOKEN)
			v[i] = ocicfg_expand_home(src);
		else
			v[i] = strdup(src);
		if (v[i] == NULL) {
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			goto done;
		}
	}
	memset(out, 0, sizeof(*out));
	out->user = v[K_USER];
	out->fingerprint = v[K_FINGERPRINT];
	out->key_file = v[K_KEY_FILE];
	out->tenancy = v[K_TENANCY];
	out->region = v[K_REGION];
	out->pass_phrase = v[K_PASS];
	out->security_token_file = v[K_TOKEN];
	memset(v, 0, sizeof(v));
	rc = 0;
done:
	for (i = 0; i < K_N; i++) {
		free(v[i]);
		free(c.def[i]);
		free(c.prof[i]);
	}
	if (f != NULL)
		fclose(f);
	free(file);
	return rc;
}

int
ocicfg_fingerprint_valid(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != 47)
		return 0;
	for (i = 0; i < 47; i++) {
		if (i % 3 == 2) {
			if (s[i] != ':')
				return 0;
		} else if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f')) {
			return 0;
		}
	}
	return 1;
}

int
ocicfg_signing_mode(const struct ocicfg_profile *p, int want_token, const char *path,
    const char *profile, struct ocicfg_err *err)
{
	const char *missing = NULL;
	/* `user =` left empty (a profile cleared by hand) counts as no user */
	int has_user = p->user != NULL && p->user[0] != '\0';
	int token = want_token || (!has_user && p->security_token_file != NULL);

	if (path == NULL)
		path = "~/.oci/config";
	if (profile == NULL)
		profile = "DEFAULT";
	if (want_token && p->security_token_file == NULL) {
		snprintf(err->msg, sizeof(err->msg),
		    "[oci] auth = security_token, but OCI config file %s, profile [%s] has no "
		    "`security_token_file` (nor in [DEFAULT]); create one with `oci session "
		    "authenticate`", path, profile);
		return -1;
	}
	if (p->tenancy == NULL)
		missing = "tenancy";
	else if (p->key_file == NULL)
		missing = "key_file";
	else if (!token && !has_user)
		missing = "user";
	else if (!token && p->fingerprint == NULL)
		missing = "fingerprint";
	if (missing != NULL) {
		snprintf(err->msg, sizeof(err->msg),
		    "OCI config file %s, profile [%s]: missing `%s` (nor in [DEFAULT])", path,
		    profile, missing);
		return -1;
	}
	if (!token && !ocicfg_fingerprint_valid(p->fingerprint)) {
		snprintf(err->msg, sizeof(err->msg),
		    "OCI config file %s, profile [%s]: fingerprint \"%.60s\" is not 16 "
		    "lowercase hex pairs separated by ':' (see `openssl rsa -pubout -outform DER "
		    "-in KEY | openssl md5 -c`)", path, profile, p->fingerprint);
		return -1;
	}
	return token;
}

int
ocicfg_check_key_perms(const char *path, struct ocicfg_err *err)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		snprintf(err->msg, sizeof(err->msg), "cannot read private key file %s: %s",
		    path, strerror(errno));
		return -1;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err->msg, sizeof(err->msg),
		    "private key file %s is accessible by group or others (mode %04o); "
		    "refusing to use it: run `chmod 600 %s`", path,
		    (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	return 0;
}
