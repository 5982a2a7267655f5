/*
 * linalg.h: the linear algebra of the recommenders.
 *
 * What matters for time is done by OpenBLAS and LAPACKE (Debian's
 * libopenblas-dev, liblapacke-dev): Gram matrices (ssyrk, dsyrk), matrix
 * products (sgemm), Cholesky factorisations and solves (spotrf, sposv,
 * dpotrf, dpotri).  Dot products and axpy over a few dozen factors are
 * written out here: a library call costs more than the loop.
 */
#ifndef MQ_RECS_LINALG_H
#define MQ_RECS_LINALG_H

#include "core/common.h"

static inline float mq_recs_dot(int n, const float *a, const float *b)
{
	float s = 0;

	for (int k = 0; k < n; k++)
		s += a[k] * b[k];
	return s;
}

static inline void mq_recs_axpy(int n, float alpha, const float *x, float *y)
{
	for (int k = 0; k < n; k++)
		y[k] += alpha * x[k];
}

/* Solves A x = b for a symmetric positive definite n x n A (row-major,
 * overwritten by its Cholesky factor), b overwritten by x.  Returns 0, or
 * -1 when A is not positive definite (LAPACKE_sposv's info > 0). */
int mq_recs_solve_spd(int n, float *a, float *b);

/* G = Y^T Y + lambda I for the rows Y[0..rows) x n (row-major): the Gram
 * matrix of item factors (ssyrk), full (both triangles). */
void mq_recs_gram(int n, size_t rows, const float *y, float lambda, float *g);

/* Inverts a symmetric positive definite n x n matrix of doubles in place
 * (dpotrf, dpotri; both triangles filled).  Returns 0 or -1. */
int mq_recs_invert_spd(int n, double *a);

/* The same for floats (spotrf, spotri). */
int mq_recs_invert_spd_f(int n, float *a);

/* The number of threads OpenBLAS uses; sets it when threads > 0. */
int mq_recs_threads(int threads);

#endif
