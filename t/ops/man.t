# The man pages render without warnings, and marquee.conf(5) documents
# every key of the configuration.
use strict;
use warnings;
use Test::More;
use File::Temp;
use Marquee::Stack;

my $src = Marquee::Stack::srcdir();
my $build = Marquee::Stack::builddir();
plan skip_all => 'groff is not installed' unless grep { -x "$_/groff" } split /:/, $ENV{PATH};

for my $page (map { "$src/docs/man/$_" } qw(marquee-fcgi.8 marquee.8 marquee.conf.5)) {
    my $out = `groff -man -Tutf8 -ww -z $page 2>&1`;
    is $?, 0, "$page renders";
    is $out, '', "$page renders without warnings" or diag $out;
}

my $conf = Marquee::Stack::slurp("$src/docs/man/marquee.conf.5");
my $key = File::Temp->new;
print {$key} 'k' x 40;
close $key;
my $check = `MARQUEE_AUTH_JWT_KEY_FILE=$key MARQUEE_AUTH_COMMON_PASSWORDS= $build/src/marquee-fcgi -t -c $src/etc/marquee.conf`;
like $check, qr/configuration OK/, 'marquee-fcgi -t accepts etc/marquee.conf';
my $section = '';
my @missing;
for (split /\n/, $check) {
    $section = $1, next if /^\[(\w+)\]/;
    next unless /^(\w+) = /;
    push @missing, "[$section] $1" unless $conf =~ /\b\Q$1\E\b/;
}
is_deeply \@missing, [], 'marquee.conf(5) names every key marquee-fcgi -t prints';

done_testing;
