/*
 * render.c: the words of notifications (see render.h).
 *
 * The table below is every sentence a notification is told in; %s are,
 * in order, what its comment says.  A kind's "one" form is for a single
 * actor, "many" for the newest actor and the others' count ("alice and 2
 * others ..."; "others" and "other" below say it).
 */
#include "notify/render.h"

#include <stdarg.h>

#include "core/arena.h"
#include "core/json.h"
#include "notify/outbox.h"

static const struct kind_text {
	const char *kind;
	const char *one;	/* actor, movie */
	const char *many;	/* actor, others, movie */
	const char *path;	/* printf of the page: %lld the review, movie or comment */
} kinds[] = {
	{ "follow", N_("%s started following you."), N_("%s and %s started following you."),
	  "/users/%s/followers" },
	{ "like", N_("%s liked your review of %s."), N_("%s and %s liked your review of %s."),
	  "/reviews/%lld" },
	{ "reply", N_("%s replied to your comment on %s."), N_("%s and %s replied to your comment on %s."),
	  "/comments/%lld" },
	{ "watchlist_review", N_("%s reviewed %s, which is on your watchlist."),
	  N_("%s and %s reviewed %s, which is on your watchlist."), "/reviews/%lld" },
};

static const struct {
	const char *others;	/* N others */
	const char *other;	/* 1 other */
	const char *someone;	/* an actor who is gone */
	const char *a_movie;	/* a movie the recipient may not see */
	const char *recommendations;	/* N */
	const char *recommendations_subject;
	const char *recommendations_intro;
	const char *password_changed;
	const char *email_changed;	/* the old address */
	const char *new_sign_in;	/* the address */
	const char *greeting;		/* username */
	const char *footer;		/* unsubscribe link, settings link */
	const char *security_footer;	/* reset link */
} words = {
	.others = N_("%lld others"),
	.other = N_("1 other"),
	.someone = N_("Someone"),
	.a_movie = N_("a movie"),
	.recommendations = N_("Your recommendations for the week are ready: %d movies picked for you."),
	.recommendations_subject = N_("Your movies for the week"),
	.recommendations_intro = N_("Picked for you this week:"),
	.password_changed = N_("The password of your Marquee account was changed."),
	.email_changed = N_("The email address of your Marquee account was changed from %s."),
	.new_sign_in = N_("Your Marquee account was signed in to from a new address (%s)."),
	.greeting = N_("Hi %s,"),
	.footer = N_("You get this mail because of your notification settings.\n"
		  "Unsubscribe from these mails: %s\n"
		  "Choose what Marquee tells you: %s"),
	.security_footer = N_("If this was not you, reset your password now: %s\n"
			   "Security notices cannot be switched off."),
};

const char *mq_words(struct mq_ctx *c, const char *fmt, ...)
{
	va_list ap;
	const char *out;

	va_start(ap, fmt);
	out = mq_arena_vprintf(c->arena, mq_tr(c->lang, fmt), ap);
	va_end(ap);
	return out;
}

static const char *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

const char *mq_notice_link(struct mq_ctx *c, const char *path)
{
	return mq_arena_printf(c->arena, "%s%s", mq_outbox_base(c), path);
}

/* The digest's movies, a line each, with their links. */
static const char *digest_lines(struct mq_ctx *c, struct json_object *movies, int *n)
{
	const char *out = "";

	*n = movies ? (int)json_object_array_length(movies) : 0;
	for (int i = 0; i < *n; i++) {
		struct json_object *m = json_object_array_get_idx(movies, i), *id = NULL;
		const char *year = member(m, "year");

		json_object_object_get_ex(m, "id", &id);
		out = mq_arena_printf(c->arena, "%s  %d. %s%s%s%s  %s\n", out, i + 1, member(m, "title"),
				      year ? " (" : "", year ? year : "", year ? ")" : "",
				      mq_notice_link(c, mq_arena_printf(c->arena, "/movies/%lld",
						(long long)json_object_get_int64(id))));
	}
	return out;
}

/* The in-app sentence and page of the kinds an actor does. */
static bool actor_kind(struct mq_ctx *c, const struct mq_notice *n, struct mq_message *m)
{
	const char *actor = n->actor ? n->actor : mq_tr(c->lang, words.someone);
	const char *movie = n->movie ? n->movie : mq_tr(c->lang, words.a_movie);

	for (size_t i = 0; i < MQ_ARRAY_LEN(kinds); i++) {
		const struct kind_text *k = &kinds[i];
		int64_t object = strcmp(k->kind, "reply") == 0 ? n->comment_id : n->review_id;

		if (strcmp(k->kind, n->kind) != 0)
			continue;
		if (n->actors <= 1)
			m->text = mq_words(c, k->one, actor, movie);
		else
			m->text = mq_words(c, k->many, actor,
						  n->actors == 2 ? mq_tr(c->lang, words.other)
						  : mq_words(c, words.others,
								    (long long)n->actors - 1),
						  movie);
		m->path = strcmp(k->kind, "follow") == 0
				  ? mq_words(c, k->path, n->username)
				  : mq_words(c, k->path, (long long)object);
		return true;
	}
	return false;
}

void mq_notice_render(struct mq_ctx *c, const struct mq_notice *n, const char *locale,
		      const char *unsubscribe, struct mq_message *m)
{
	const char *extra = "";
	enum mq_ui saved = c->lang;
	int ui = locale ? mq_ui_find(locale) : -1;
	int count;

	/* in the recipient's language (users.locale), else the request's */
	if (ui >= 0)
		c->lang = (enum mq_ui)ui;
	memset(m, 0, sizeof(*m));
	m->path = "/notifications";
	if (actor_kind(c, n, m)) {
		/* told */
	} else if (strcmp(n->kind, "recommendations") == 0) {
		struct json_object *movies = NULL;

		if (n->data)
			json_object_object_get_ex(n->data, "movies", &movies);
		extra = digest_lines(c, movies, &count);
		m->text = mq_words(c, words.recommendations, count);
		m->subject = mq_tr(c->lang, words.recommendations_subject);
		extra = mq_arena_printf(c->arena, "%s\n\n%s", mq_tr(c->lang, words.recommendations_intro),
					extra);
		m->path = "/recommendations";
	} else if (strcmp(n->kind, "password_changed") == 0) {
		m->text = mq_tr(c->lang, words.password_changed);
	} else if (strcmp(n->kind, "email_changed") == 0) {
		m->text = mq_words(c, words.email_changed,
					  member(n->data, "old_email") ? member(n->data, "old_email") : "?");
	} else {
		m->text = mq_words(c, words.new_sign_in,
					  member(n->data, "address") ? member(n->data, "address") : "?");
	}
	if (m->subject == NULL)
		m->subject = m->text;
	const char *footer = unsubscribe
		? mq_words(c, words.footer, unsubscribe,
				  mq_notice_link(c, "/settings/notifications"))
		: mq_words(c, words.security_footer,
				  mq_notice_link(c, "/reset-password"));
	const char *main = *extra ? extra
				  : mq_arena_printf(c->arena, "%s\n%s\n", m->text,
						    mq_notice_link(c, m->path));
	m->body = mq_arena_printf(c->arena, "%s\n\n%s\n-- \n%s\n",
				  mq_words(c, words.greeting, n->username), main, footer);
	c->lang = saved;
}
