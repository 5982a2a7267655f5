/*
 * account.c: username and email rules; user objects.
 */
#include "accounts/account.h"

#include <ctype.h>
#include <json-c/json.h>
#include <strings.h>

#include "core/region.h"
#include "storage/image.h"
#include "storage/media.h"

/* Path words under /api/users/ that a username would shadow. */
static const char *const reserved[] = {
	"me", "register", "login", "logout", "token", "password", "password-reset",
	"verify-email", "favorites", "anonymous", "deleted", NULL,
};

const char *mq_username_problem(const char *u)
{
	size_t n = strlen(u);

	for (int i = 0; reserved[i]; i++)
		if (strcasecmp(u, reserved[i]) == 0)
			return N_("This username is reserved.");
	if (strncasecmp(u, "deleted-", 8) == 0 || strncasecmp(u, "movielens-", 10) == 0)
		return N_("This username is reserved.");
	if (n < 3 || n > 30)
		return N_("Must be 3 to 30 characters.");
	if (!isalnum((unsigned char)u[0]))
		return N_("Must start with a letter or a digit.");
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)u[i]) && !strchr("_.-", u[i]))
			return N_("May contain only letters, digits, '_', '.' and '-'.");
	return NULL;
}

static bool label_char(int c)
{
	return isalnum(c) || c == '-';
}

const char *mq_email_problem(const char *e)
{
	const char *at = strrchr(e, '@');
	const char *dot;
	size_t n = strlen(e);

	if (n > 254)
		return N_("Must be at most 254 characters.");
	if (at == NULL || at == e || at - e > 64)
		return N_("Enter a valid email address.");
	for (const char *p = e; p < at; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '(' || *p == ')' || *p == ',' ||
		    *p == ':' || *p == ';' || *p == '<' || *p == '>' || *p == '[' || *p == ']' ||
		    *p == '\\' || *p == '@' || (unsigned char)*p >= 0x7f)
			return N_("Enter a valid email address.");
	if (e[0] == '.' || at[-1] == '.' || strstr(e, ".."))
		return N_("Enter a valid email address.");
	dot = strrchr(at, '.');
	if (dot == NULL || at[1] == '.' || at[1] == '-' || e[n - 1] == '-' || strlen(dot + 1) < 2)
		return N_("Enter a valid email address.");
	for (const char *p = at + 1; *p; p++) {
		if (*p == '.') {
			if (p[1] == '.' || p[1] == '\0' || p[-1] == '-' || p[1] == '-')
				return N_("Enter a valid email address.");
		} else if (!label_char((unsigned char)*p)) {
			return N_("Enter a valid email address.");
		}
	}
	return NULL;
}

void mq_account_finish(struct mq_ctx *c, struct json_object *user)
{
	struct json_object *path;
	const char *rel = NULL;

	if (json_object_object_get_ex(user, "avatar_path", &path) && path)
		rel = json_object_get_string(path);
	json_object_object_add(user, "avatar_url",
			       rel ? json_object_new_string(mq_media_size_url(c, rel, "medium")) : NULL);
	json_object_object_add(user, "avatar_sizes", mq_media_sizes(c, rel, MQ_IMAGE_AVATAR));
	json_object_object_del(user, "avatar_path");
}

bool mq_locale_ok(const char *s)
{
	size_t n = 0;

	while (islower((unsigned char)s[n]))
		n++;
	if (n < 2 || n > 3)
		return false;
	return s[n] == '\0' || (s[n] == '-' && isupper((unsigned char)s[n + 1]) &&
				isupper((unsigned char)s[n + 2]) && s[n + 3] == '\0');
}

bool mq_region_ok(const char *s)
{
	char code[3];

	return mq_region_parse(s, code) && strcmp(s, code) == 0;
}
