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
# The keys of the detail's entries in memcached (its crawler's dump).
sub entries {
    my $c = $s->memcached_connection;
    print {$c} "lru_crawler metadump all\r\n";
    my @keys;
    while (my $line = <$c>) {
        last if $line =~ /^(END|ERROR)/;
        push @keys, $1 if $line =~ /^key=(\S*movie%3A$id%3A\S*)/;
    }
    return scalar @keys;
}

# the first read: PostgreSQL alone
$r = $s->get("/api/movies/$id/");
is $r->{status}, 200, 'the first read answers';
like $r->{headers}{etag}, qr{^W/"[0-9a-f]{32}"$}, '  with its ETag';
is entries(), 0, '  and stores nothing in memcached';
$s->psql("UPDATE movies SET title = 'Asked For Twice' WHERE id = $id");

# the second: looked up, missed (the first stored nothing), rendered from
# PostgreSQL and stored
is title(), 'Asked For Twice', 'the second read renders what PostgreSQL has';
ok Marquee::Stack::poll(10, sub { entries() == 1 }), '  and stores it';
$s->psql("UPDATE movies SET title = 'Changed Behind The Cache' WHERE id = $id");

# the third: a hit
is title(), 'Asked For Twice', 'the third read is answered from memcached';
my $stored = $s->get("/api/movies/$id/")->{headers}{etag};
$r = $s->get("/api/movies/$id/", headers => { 'If-None-Match' => $stored });
is $r->{status}, 304, '  and its ETag is the stored one: 304';

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

$s->finish;
done_testing;
