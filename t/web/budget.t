# The web app's performance budget, from its build (web/dist): the
# JavaScript the first page loads (the entry chunk and what it imports
# statically, as Vite's manifest lists them) is at most 200 KB gzipped;
# everything else loads later, when a page needs it.
use strict;
use warnings;
use Test::More;
use IO::Compress::Gzip qw(gzip $GzipError);
use JSON::PP;
use Marquee::Stack;

my $web = Marquee::Stack::srcdir() . '/web';
plan skip_all => 'no web app here (a release tarball)' unless -x "$web/build";
system("$web/build") == 0 or BAIL_OUT('web/build failed');
my $dist = "$web/dist";
my $manifest = decode_json(Marquee::Stack::slurp("$dist/.vite/manifest.json"));

my ($entry) = grep { $manifest->{$_}{isEntry} } keys %$manifest;
ok $entry, "the build has an entry ($entry)";

# The entry and its static imports, each once.
my (%seen, @files);
my @todo = ($entry);
while (defined(my $key = shift @todo)) {
    next if $seen{$key}++;
    push @files, $manifest->{$key}{file};
    push @todo, @{ $manifest->{$key}{imports} // [] };
}
my $gz = 0;
for my $f (@files) {
    my $raw = Marquee::Stack::slurp("$dist/$f");
    gzip(\$raw => \my $z, -Level => 9) or die "gzip: $GzipError\n";
    $gz += length $z;
}
cmp_ok $gz, '<=', 200 * 1024, sprintf('initial JavaScript: %.1f KB gzipped in %d file(s), at most 200 KB',
                                      $gz / 1024, scalar @files);

my @lazy = grep { $manifest->{$_}{isDynamicEntry} } keys %$manifest;
cmp_ok scalar(@lazy), '>=', 10, 'the other pages are chunks of their own, loaded when visited';
my ($analytics) = grep { /AdminAnalytics/ } @lazy;
ok $analytics && !grep({ $_ eq $manifest->{$analytics}{file} } @files),
    'the charting library comes with the analytics page, not the first load';
my ($profile) = grep { m{pages/Profile\.tsx$} } @lazy;
my ($stats) = grep { m{components/UserStats\.tsx$} } @lazy;
ok $profile && $stats && !grep({ /Chart/ } @{ $manifest->{$profile}{imports} // [] })
    && grep({ /Chart/ } @{ $manifest->{$stats}{imports} // [] }),
    "the profile's charts come with its Stats tab, not with the profile";

my $index = Marquee::Stack::slurp("$dist/index.html");
unlike $index, qr/<script(?![^>]*\bsrc=)[^>]*>/i, 'index.html has no inline script (the CSP allows none)';
unlike $index, qr/<style\b|\sstyle=/i, 'nor inline style';
like $index, qr{<script type="module" crossorigin src="/assets/index-[\w-]+\.js">}, 'its script is a hashed asset';
done_testing;
