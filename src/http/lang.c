/*
 * lang.c: choosing the response language (see lang.h).
 */
#include "http/lang.h"

mq_reply mq_lang_choose(struct mq_req *r, const char *param, struct mq_lang *out)
{
	const char *v = param ? mq_query_get(&r->query, param) : NULL;
	struct mq_lang chosen;

	if (v == NULL) {
		*out = r->lang;
		return MQ_NEXT;
	}
	if (mq_lang_parse(v, strlen(v), &chosen) < 0)
		return mq_problem_field(r, param, N_("Must be a language tag such as fr or pt-BR."));
	/* what follows, its failures too, is in the language asked for */
	r->lang = chosen;
	r->ctx.lang = chosen.ui;
	*out = chosen;
	return MQ_NEXT;
}
