/*
 * api.h: every handler, by resource.  routes.c binds them to paths.
 */
#ifndef MQ_API_H
#define MQ_API_H

struct mq_req;

/* health.c */
int mq_health_live(struct mq_req *r);
int mq_health_ready(struct mq_req *r);

/* metrics.c */
int mq_metrics(struct mq_req *r);

/* genres.c */
int mq_genres_list(struct mq_req *r);

#endif
