# The pool's workers do not load OpenBLAS or LAPACKE: only training
# (`marquee recs train`, `recs eval`) does linear algebra, and a worker
# that loaded them would carry their threads and memory for nothing.  The
# workers reach src/recs/ for serving (scorer.c, content.c, items.c), so a
# serving file that calls into training (and so into BLAS) fails here.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $build = Marquee::Stack::builddir() . '/src';
my $blas = qr/blas|lapack|gfortran/i;

sub needed { my @l = `readelf -d $_[0]` =~ /\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g; @l }
sub calls_blas { grep { /^\s+U (cblas_|LAPACKE_|openblas_)/ } `nm -u $_[0]` }

ok scalar(needed("$build/marquee")), 'readelf reads the programs';
ok scalar(grep { /$blas/ } needed("$build/marquee")), 'marquee (training) links OpenBLAS and LAPACKE';
ok scalar(calls_blas("$build/marquee")), 'and calls them';
is_deeply [grep { /$blas/ } needed("$build/marquee-fcgi")], [], 'marquee-fcgi does not link them';
is_deeply [calls_blas("$build/marquee-fcgi")], [], 'nor calls them';

done_testing;
