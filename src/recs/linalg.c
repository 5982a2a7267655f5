/*
 * linalg.c: OpenBLAS and LAPACKE behind the few calls the models make.
 */
#include "recs/linalg.h"

#include <cblas.h>
#include <lapacke.h>

int mq_recs_solve_spd(int n, float *a, float *b)
{
	return LAPACKE_sposv(LAPACK_ROW_MAJOR, 'U', n, 1, a, n, b, 1) == 0 ? 0 : -1;
}

void mq_recs_gram(int n, size_t rows, const float *y, float lambda, float *g)
{
	cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, n, (int)rows, 1.0f, y, n, 0.0f, g, n);
	for (int r = 0; r < n; r++) {
		g[r * n + r] += lambda;
		for (int c = 0; c < r; c++)
			g[r * n + c] = g[c * n + r];
	}
}

int mq_recs_invert_spd(int n, double *a)
{
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', n, a, n) != 0 ||
	    LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', n, a, n) != 0)
		return -1;
	for (int r = 0; r < n; r++)
		for (int c = 0; c < r; c++)
			a[(size_t)r * n + c] = a[(size_t)c * n + r];
	return 0;
}

int mq_recs_invert_spd_f(int n, float *a)
{
	if (LAPACKE_spotrf(LAPACK_ROW_MAJOR, 'U', n, a, n) != 0 ||
	    LAPACKE_spotri(LAPACK_ROW_MAJOR, 'U', n, a, n) != 0)
		return -1;
	for (int r = 0; r < n; r++)
		for (int c = 0; c < r; c++)
			a[(size_t)r * n + c] = a[(size_t)c * n + r];
	return 0;
}

int mq_recs_threads(int threads)
{
	if (threads > 0)
		openblas_set_num_threads(threads);
	return openblas_get_num_threads();
}
