/*
 * arena.c: bump allocation in chained blocks, released all at once.
 *
 * Small allocations share the current block; one larger than a quarter of a
 * block gets a block of its own so that it does not waste the rest of the
 * current one.  Reset keeps the first block, so a steady request load does
 * not call malloc at all, and frees the rest, so one huge request does not
 * leave the worker's RSS inflated.
 */
#include "core/arena.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA_DEFAULT_BLOCK (32 * 1024)
#define ARENA_ALIGN 16

struct block {
	struct block *next;
	size_t size;
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	mq_cleanup_fn *fn;
	void *ptr;
};

struct mq_arena {
	struct block *head;	/* current block; the chain ends at first */
	struct block *first;
	size_t block_size;
	size_t used;
	struct cleanup *cleanups;
};

static struct block *block_new(size_t size)
{
	struct block *b;

	if (size > SIZE_MAX / 2)
		abort();
	b = mq_xmalloc(sizeof(*b) + size);

	b->next = NULL;
	b->size = size;
	b->used = 0;
	POISON(b->data, size);
	return b;
}

struct mq_arena *mq_arena_new(size_t block_size)
{
	struct mq_arena *a = mq_xcalloc(1, sizeof(*a));

	a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
	a->first = a->head = block_new(a->block_size);
	return a;
}

static void run_cleanups(struct mq_arena *a)
{
	/* A cleanup may itself allocate or defer; take the list first. */
	while (a->cleanups != NULL) {
		struct cleanup *c = a->cleanups;

		a->cleanups = c->next;
		c->fn(c->ptr);
	}
}

void mq_arena_reset(struct mq_arena *a)
{
	struct block *b, *next;

	run_cleanups(a);
	for (b = a->head; b != a->first; b = next) {
		next = b->next;
		free(b);
	}
	a->head = a->first;
	a->first->used = 0;
	POISON(a->first->data, a->first->size);
	a->used = 0;
}

void mq_arena_destroy(struct mq_arena *a)
{
	if (a == NULL)
		return;
	mq_arena_reset(a);
	free(a->first);
	free(a);
}

static size_t align_up(size_t n)
{
	return (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
}

void *mq_arena_alloc(struct mq_arena *a, size_t n)
{
	struct block *b = a->head;
	void *p;

	if (n > SIZE_MAX / 2)
		abort();
	n = align_up(n ? n : 1);
	if (b->size - b->used < n) {
		if (n > a->block_size / 4) {
			/* A big allocation: its own block, linked behind the
			 * current one so the current keeps serving small ones. */
			struct block *big = block_new(n);

			big->used = n;
			big->next = b->next;
			if (b == a->first) {
				/* The chain must end at first: put big
				 * in front instead. */
				big->next = b;
				a->head = big;
				/* head is now full; the next small
				 * allocation will start a fresh block. */
			} else {
				b->next = big;
			}
			a->used += n;
			UNPOISON(big->data, n);
			return big->data;
		}
		b = block_new(a->block_size);
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += n;
	a->used += n;
	UNPOISON(p, n);
	return p;
}

void *mq_arena_calloc(struct mq_arena *a, size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / size)
		abort();
	p = mq_arena_alloc(a, count * size);
	memset(p, 0, count * size);
	return p;
}

char *mq_arena_strndup(struct mq_arena *a, const char *s, size_t n)
{
	char *p = mq_arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *mq_arena_strdup(struct mq_arena *a, const char *s)
{
	return mq_arena_strndup(a, s, strlen(s));
}

char *mq_arena_vprintf(struct mq_arena *a, const char *fmt, va_list ap)
{
	va_list copy;
	int len;
	char *p;

	va_copy(copy, ap);
	len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len < 0)
		abort();
	p = mq_arena_alloc(a, (size_t)len + 1);
	vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

const char *mq_arena_int(struct mq_arena *a, int64_t n)
{
	return mq_arena_printf(a, "%lld", (long long)n);
}

char *mq_arena_printf(struct mq_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = mq_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void mq_arena_defer(struct mq_arena *a, mq_cleanup_fn *fn, void *ptr)
{
	struct cleanup *c;

	if (ptr == NULL)
		return;
	c = mq_arena_alloc(a, sizeof(*c));
	c->fn = fn;
	c->ptr = ptr;
	c->next = a->cleanups;
	a->cleanups = c;
}

size_t mq_arena_used(const struct mq_arena *a)
{
	return a->used;
}

size_t mq_arena_blocks(const struct mq_arena *a)
{
	size_t n = 0;

	for (const struct block *b = a->head; b != NULL; b = b->next)
		n++;
	return n;
}
