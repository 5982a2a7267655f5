# The layers of src/ hold (DESIGN.md, "Rules of the house"): a file includes
# only its own folder and the folders below it, the domain never sees a
# request, and the cached answers about the catalog are made stale in one
# place.  Read from the source, so a change that breaks a rule fails here
# before anyone has to notice it in review.
use strict;
use warnings;
use Test::More;
use File::Find;
use Marquee::Stack;

my $src = Marquee::Stack::srcdir() . '/src';

# Lower ranks are lower layers.  Folders of one rank may include each
# other, as long as the folders' graph has no cycle (checked below).
my %rank = (
    core => 0,
    db => 1, cache => 1, storage => 1,
    integrations => 2,
    catalog => 3, accounts => 3, notify => 3, recs => 3, social => 3, analytics => 3, payments => 3, watch => 3, portability => 3,
    http => 4,
    api => 5,
    pool => 6, cli => 6,
);
my %domain = map { $_ => 1 } qw(core db cache storage integrations catalog accounts notify recs social
                                analytics payments portability);

my @files;
find(sub { push @files, $File::Find::name if /\.[ch]$/ }, $src);
@files = sort @files;
ok @files > 50, 'found the sources (' . scalar(@files) . ')';

my (%edges, @bad_folder, @upward, @api_included, @sees_request, @bumps);
for my $path (@files) {
    (my $rel = $path) =~ s{^\Q$src\E/}{};
    my ($folder) = $rel =~ m{^([^/]+)/} or do { push @bad_folder, $rel; next };
    push @bad_folder, $rel unless exists $rank{$folder};
    open my $fh, '<', $path or die "$path: $!";
    my $text = do { local $/; <$fh> };
    while ($text =~ /^#include "([^"]+)"/mg) {
        my $inc = $1;
        next if $inc eq 'autoconfig.h';
        my ($to) = $inc =~ m{^([^/]+)/};
        if (!defined $to || !exists $rank{$to}) {
            push @bad_folder, "$rel includes \"$inc\" (no layer folder)";
            next;
        }
        next if $to eq $folder;
        $edges{$folder}{$to} = "$rel includes $inc";
        push @upward, "$rel includes $inc" if $rank{$to} > $rank{$folder};
        push @api_included, "$rel includes $inc" if $to eq 'api';
    }
    # the domain and data layers return statuses; a request is the
    # HTTP layer's business (comments may name it)
    (my $code = $text) =~ s{/\*.*?\*/}{}gs;
    push @sees_request, $rel if $domain{$folder} && $code =~ /\bstruct mq_req\b|\bmq_(problem|respond)\w*\(/;
    push @bumps, $rel
        if $code =~ /\bmq_cache_bump\s*\(/ && $rel !~ m{^cache/} && $rel ne 'catalog/changes.c';
}

is_deeply \@bad_folder, [], 'every file and include is in a layer folder'
    or diag join "\n", @bad_folder;
is_deeply \@upward, [], 'no file includes a folder above its own (core < db, cache, storage '
    . '< integrations < catalog, accounts, notify < http < api < pool, cli)'
    or diag join "\n", @upward;
is_deeply \@api_included, [], 'nothing outside src/api/ includes src/api/'
    or diag join "\n", @api_included;
ok !$edges{db}{http} && !$edges{cache}{http}, 'db/ and cache/ never include http/';
is_deeply \@sees_request, [], 'the domain and data layers never see a request or answer one'
    or diag join "\n", @sees_request;
is_deeply \@bumps, [],
    'cached answers are made stale only through catalog/changes.c (mq_cache_bump elsewhere)'
    or diag join "\n", @bumps;

# No cycle among the folders (a depth-first search for a back edge).
my (%state, @cycle);
my $visit;
$visit = sub {
    my ($f, @path) = @_;
    return if ($state{$f} // 0) == 2;
    if (($state{$f} // 0) == 1) {
        @cycle = (@path, $f) unless @cycle;
        return;
    }
    $state{$f} = 1;
    $visit->($_, @path, $f) for sort keys %{ $edges{$f} // {} };
    $state{$f} = 2;
};
$visit->($_) for sort keys %rank;
is_deeply \@cycle, [], 'the folders include each other without a cycle'
    or diag join ' -> ', @cycle;

done_testing;
