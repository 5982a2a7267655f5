/*
 * movie_ref_form.c: {movie} or {tmdb_id, title?, overview?, poster_path?}.
 */
#include "http/movie_ref_form.h"

#include "integrations/tmdb.h"

static void read_details(struct mq_form *f, struct mq_movie_ref *ref)
{
	static const char *const details[] = { "title", "overview", "poster_path" };

	if (ref->movie) {
		for (size_t i = 0; i < MQ_ARRAY_LEN(details); i++)
			if (mq_form_has(f, details[i]))
				mq_form_error(f, details[i], "Only with tmdb_id: a local movie has its own.");
		return;
	}
	ref->title = mq_form_string(f, "title", MQ_OPTIONAL, 1, 300);
	ref->overview = mq_form_string(f, "overview", MQ_OPTIONAL, 0, 5000);
	ref->poster_path = mq_form_string(f, "poster_path", MQ_OPTIONAL, 1, 110);
	if (ref->poster_path && !mq_tmdb_image_path_ok(ref->poster_path)) {
		mq_form_error(f, "poster_path", "Must be a TMDb image path such as /abc.jpg.");
		ref->poster_path = NULL;
	}
}

void mq_movie_ref_read(struct mq_form *f, struct mq_movie_ref *ref)
{
	struct mq_arena *a = f->r->arena;
	bool has_movie = mq_form_has(f, "movie"), has_tmdb = mq_form_has(f, "tmdb_id");
	int64_t n;

	memset(ref, 0, sizeof(*ref));
	ref->user_id = f->r->user_id;
	if (has_movie == has_tmdb) {
		mq_form_error(f, has_movie ? "tmdb_id" : "movie",
			      has_movie ? N_("Give movie or tmdb_id, not both.")
					: N_("Give movie (a movie id) or tmdb_id."));
		return;
	}
	if (has_movie && mq_form_int(f, "movie", MQ_REQUIRED, 1, INT64_MAX, &n))
		ref->movie = mq_arena_int(a, n);
	if (has_tmdb && mq_form_int(f, "tmdb_id", MQ_REQUIRED, 1, INT32_MAX, &n))
		ref->tmdb_id = mq_arena_int(a, n);
	read_details(f, ref);
}
