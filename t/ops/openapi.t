# docs/openapi.yaml: linted (redocly, recommended rules), and in step with
# the route table: every route documented, nothing documented that is not
# routed.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Marquee::Stack;

my $src = Marquee::Stack::srcdir();
my $build = Marquee::Stack::builddir();
my $doc = "$src/docs/openapi.yaml";
plan skip_all => 'npm ci has not been run (node_modules is missing)'
    unless -x "$src/node_modules/.bin/redocly";

my $lint = `cd $src && node_modules/.bin/redocly lint --config redocly.yaml --format=stylish docs/openapi.yaml 2>&1`;
is $?, 0, 'redocly lint passes' or diag $lint;
unlike $lint, qr/\bwarning\b/, 'without warnings' or diag $lint;

local $ENV{NODE_PATH} = "$src/node_modules";
my $json = `node -e 'const y = require("js-yaml"), fs = require("fs");
  process.stdout.write(JSON.stringify(y.load(fs.readFileSync(process.argv[1], "utf8"))))' $doc`;
my $api = decode_json($json);
is $api->{openapi}, '3.1.0', 'the document is OpenAPI 3.1';

# "GET /api/movies/{id}" from both sides: parameters without their types,
# no final slash (the contract serves both), percent-encoding decoded to
# the bytes the route table holds (a document's paths are URLs: the
# legacy /api/favorites/recently%E2%86%92added/ is routed as UTF-8).
sub norm {
    my ($m, $p) = @_;
    $p =~ s/\{(\w+):\w+\}/{$1}/g;
    $p =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    $p =~ s{/$}{} if $p ne '/';
    uc($m) . " $p";
}

my %routed;
for (split /\n/, `$build/src/marquee routes`) {
    my ($method, $path) = split ' ';
    $routed{ norm($method, $path) } = 1;
}
ok %routed, 'marquee routes lists the route table';
my %documented;
for my $path (keys %{ $api->{paths} }) {
    for my $method (grep { /^(get|put|post|patch|delete)$/ } keys %{ $api->{paths}{$path} }) {
        $documented{ norm($method, $path) } = 1;
    }
}
my @missing = sort grep { !$documented{$_} } keys %routed;
my @extra = sort grep { !$routed{$_} } keys %documented;
is_deeply \@missing, [], 'every route is in docs/openapi.yaml';
is_deeply \@extra, [], 'docs/openapi.yaml names no route that does not exist';

done_testing;
