/*
 * progress.c: the CLI's progress bar (see progress.h).
 */
#include "cli/progress.h"

#include <inttypes.h>
#include <unistd.h>

#define BAR_WIDTH 24
#define REDRAW_NS (100 * 1000 * 1000ull)

void mq_progress_start(struct mq_progress *p, const char *label, uint64_t total)
{
	*p = (struct mq_progress){
		.label = label,
		.total = total,
		.started_ns = mq_now_mono_ns(),
		.tty = isatty(STDERR_FILENO) == 1,
	};
}

static void draw(struct mq_progress *p, uint64_t now, bool final)
{
	double secs = (double)(now - p->started_ns) / 1e9;
	double rate = secs > 0 ? (double)p->done / secs : 0;
	char bar[BAR_WIDTH + 1];

	if (p->total == 0) {
		fprintf(stderr, "%s%-8s %" PRIu64 "  %.0f/s%s", p->tty ? "\r" : "", p->label,
			p->done, rate, final ? "\n" : "");
		return;
	}
	uint64_t done = p->done > p->total ? p->total : p->done;
	size_t filled = (size_t)(done * BAR_WIDTH / p->total);
	memset(bar, '#', filled);
	memset(bar + filled, '.', BAR_WIDTH - filled);
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "%s%-8s [%s] %3d%%  %" PRIu64 "/%" PRIu64 "  %.0f/s", p->tty ? "\r" : "",
		p->label, bar, (int)(done * 100 / p->total), done, p->total, rate);
	if (final)
		fprintf(stderr, "  %.1fs\n", secs);
	else if (rate > 0)
		fprintf(stderr, "  eta %.0fs ", (double)(p->total - done) / rate);
	fflush(stderr);
}

void mq_progress_set(struct mq_progress *p, uint64_t done)
{
	uint64_t now;

	p->done = done;
	if (!p->tty)
		return;
	now = mq_now_mono_ns();
	if (now - p->drawn_ns < REDRAW_NS)
		return;
	p->drawn_ns = now;
	draw(p, now, false);
}

void mq_progress_end(struct mq_progress *p)
{
	draw(p, mq_now_mono_ns(), true);
}
