# A movie's detail in the response cache (http/respcache.h,
# mq_respcache_serve_repeated): memcached is asked only for a detail the
# worker answered lately, and the detail stored only then, so that a film
# asked for once costs PostgreSQL's read alone; a film asked for again is
# answered from memcached.
#
# One worker, so that "the worker answered it lately" is this file's own
# requests; [cache] verify off, so that a hit is served as it was stored
# (the movie's row is changed in SQL behind the cache's back to tell the
# two apart: no write of the service bumps the detail's generation).
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(workers => 1, extra_config => "[cache]\nverify = off\n");
my $admin = $s->admin;

my $r = $s->post('/api/movies/', token => $admin->{access},
                 json => { title => 'Asked For Once', release_date => '1931-02-12' });
is $r->{status}, 201, 'a movie' or diag $r->{content};
my $id = $r->{json}{id};
sub title { my $r = $s->get("/api/movies/$id/", @_); return ($r->{json} // {})->{title} }
# The keys of the detail's entries in memcached (its crawler's dump,
# which answers BUSY while the crawler is at work: asked again), as the
# service names them (without the "mq:" prefix).
sub entries {
    local $SIG{ALRM} = sub { die "memcached: no dump in 10 s\n" };
    alarm 10;
    my @keys;
    for (my $busy = 1; $busy; ) {
        my $c = $s->memcached_connection;
        print {$c} "lru_crawler metadump all\r\n";
        ($busy, @keys) = (0);
        while (my $line = <$c>) {
            if ($line =~ /^BUSY/) { $busy = 1; select(undef, undef, undef, 0.1); last }
            last if $line =~ /^END/;
            die "memcached: $line" if $line =~ /ERROR/;
            push @keys, $1 if $line =~ /^key=(\S*movie%3A$id%3A\S*)/;
        }
    }
    alarm 0;
    return map { (my $k = $_) =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; $k =~ s/^mq://; $k } @keys;
}

# the first read: PostgreSQL alone
$r = $s->get("/api/movies/$id/");
is $r->{status}, 200, 'the first read answers';
like $r->{headers}{etag}, qr{^W/"[0-9a-f]{32}"$}, '  with its ETag';
is scalar(entries()), 0, '  and stores nothing in memcached';
$s->psql("UPDATE movies SET title = 'Asked For Twice' WHERE id = $id");

# the second: looked up, missed (the first stored nothing), rendered from
# PostgreSQL and stored
is title(), 'Asked For Twice', 'the second read renders what PostgreSQL has';
ok Marquee::Stack::poll(10, sub { entries() == 1 }), '  and stores it';
my ($stored_etag) = ($s->memcached_get((entries())[0]) // '') =~ m{^\S+ (W/"[0-9a-f]{32}")\n};
ok $stored_etag, '  with its ETag';
$s->psql("UPDATE movies SET title = 'Changed Behind The Cache' WHERE id = $id");

# the third: a hit
is title(), 'Asked For Twice', 'the third read is answered from memcached';
$r = $s->get("/api/movies/$id/");
is $r->{headers}{etag}, $stored_etag, '  with the stored ETag';
$r = $s->get("/api/movies/$id/", headers => { 'If-None-Match' => $stored_etag });
is $r->{status}, 304, '  which If-None-Match matches: 304';

# a write of the service makes the entry stale as before
$r = $s->patch("/api/movies/$id/", token => $admin->{access}, json => { tagline => 'Bumped.' });
is $r->{status}, 200, 'a PATCH' or diag $r->{content};
is title(), 'Changed Behind The Cache', '  and the next read renders again';

# another language is another URL to the cache: asked for once, not stored
is title(headers => { 'Accept-Language' => 'fr' }), 'Changed Behind The Cache',
    'asked for in French, first time: from PostgreSQL';
$s->psql("UPDATE movies SET title = 'Second French Read' WHERE id = $id");
is title(headers => { 'Accept-Language' => 'fr' }), 'Second French Read',
    '  the second time too (looked up, not there yet)';

# with [cache] verify (the test stacks) every read is looked up and
# stored, so that the tests compare every hit
ok $s->reload_pool(extra_config => ''), 'reloaded with verify on';
my $before = entries();
title(headers => { 'Accept-Language' => 'de' });
ok Marquee::Stack::poll(10, sub { entries() == $before + 1 }),
    '  a first read in German is stored at once';

$s->finish;
done_testing;
