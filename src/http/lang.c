/*
 * lang.c: choosing the response language (see lang.h).
 */
#include "http/lang.h"

mq_reply mq_lang_choose(struct mq_req *r, const char *param, struct mq_lang *out)
{
	const char *v = param ? mq_query_get(&r->query, param) : NULL;

	mq_resp_header(r, "Vary", "Accept-Language");
	if (v == NULL) {
		mq_lang_from_header(r->accept_language, out);
		return MQ_NEXT;
	}
	if (mq_lang_parse(v, strlen(v), out) == 0)
		return MQ_NEXT;
	return mq_problem_field(r, param, "Must be a language tag such as fr or pt-BR.");
}
