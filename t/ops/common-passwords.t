# data/common-passwords.txt, shipped so that a release needs no npm, is
# still zxcvbn-ts's list as data/common-passwords makes it from the npm
# package pinned in package-lock.json.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $src = Marquee::Stack::srcdir();
my $json = "$src/node_modules/\@zxcvbn-ts/language-common/src/passwords.json";
plan skip_all => 'npm ci has not been run (node_modules is missing)' unless -f $json;

my @made = split /\n/, `$^X $src/data/common-passwords $json`;
is $?, 0, 'data/common-passwords makes the list from the npm package';
my @kept = split /\n/, Marquee::Stack::slurp("$src/data/common-passwords.txt");
cmp_ok scalar @kept, '>', 10000, 'data/common-passwords.txt is a list of thousands';
my ($diff) = grep { ($kept[$_] // '') ne ($made[$_] // '') } 0 .. ($#made > $#kept ? $#made : $#kept);
is $diff, undef, "and the package's, line by line (else: make update-common-passwords)"
    or diag sprintf "line %d: kept '%s', the package has '%s'", $diff + 1, $kept[$diff] // '(none)',
                    $made[$diff] // '(none)';

done_testing;
