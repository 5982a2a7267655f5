# GET /api/genres/: rendered from PostgreSQL, paginated, ordered, cached in
# memcached, with ETags.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;

my $r = $s->get('/api/genres/');
is $r->{status}, 200, 'GET /api/genres/ answers 200';
like $r->{headers}{'content-type'}, qr{^application/json; charset=utf-8$}, 'as UTF-8 JSON';
is $r->{json}{count}, 19, "all 19 of TMDb's movie genres";
is scalar @{ $r->{json}{results} }, 19, 'on one page';
is $r->{json}{next}, undef, 'no next page';
is $r->{json}{previous}, undef, 'no previous page';
is_deeply [ sort keys %{ $r->{json}{results}[0] } ], [qw(id name slug tmdb_id)],
    'each genre has id, tmdb_id, name and slug';
my %by_slug = map { $_->{slug} => $_ } @{ $r->{json}{results} };
is $by_slug{'science-fiction'}{tmdb_id}, 878, 'TMDb ids are kept (Science Fiction is 878)';
is $by_slug{'science-fiction'}{name}, 'Science Fiction', 'with their names';
is $r->{json}{results}[0]{name}, 'Action', 'ordered by name: Action first';
is $r->{json}{results}[-1]{name}, 'Western', 'Western last';

my $etag = $r->{headers}{etag};
like $etag, qr{^W/"[0-9a-f]{32}"$}, 'a weak ETag';
is_deeply $s->get('/api/genres')->{json}, $r->{json}, 'the path without its slash is served the same';

$r = $s->get('/api/genres/', headers => { 'If-None-Match' => $etag });
is $r->{status}, 304, 'If-None-Match with the ETag answers 304';
is length($r->{content} // ''), 0, 'without a body';
is $r->{headers}{etag}, $etag, 'repeating the ETag';
is $s->get('/api/genres/', headers => { 'If-None-Match' => 'W/"other"' })->{status}, 200,
    'another ETag gets the full answer';

# pagination
$r = $s->get('/api/genres/?page_size=5');
is scalar @{ $r->{json}{results} }, 5, 'page_size=5 gives five';
is $r->{json}{count}, 19, 'count is still the total';
like $r->{json}{next}, qr{^http://127\.0\.0\.1:\d+/api/genres/\?page_size=5&page=2$},
    'next is an absolute URL keeping the other parameters';
is $r->{json}{previous}, undef, 'no previous on page 1';
$r = $s->get('/api/genres/?page_size=5&page=2');
like $r->{json}{previous}, qr{/api/genres/\?page_size=5$}, 'previous of page 2 drops page, as DRF does';
$r = $s->get('/api/genres/?page=4&page_size=5');
is scalar @{ $r->{json}{results} }, 4, 'the last page has the rest';
is $r->{json}{next}, undef, 'and no next';
$r = $s->get('/api/genres/?page=5&page_size=5');
is $r->{status}, 404, 'a page past the end is 404';
like $r->{headers}{'content-type'}, qr{^application/problem\+json}, 'as problem+json';
is $s->get('/api/genres/?page_size=1000')->{json}{results}->@*, 19, 'page_size above 100 is clamped';

for my $bad ('page=0', 'page=abc', 'page=-1', 'page=1.5', 'page_size=0', 'page_size=x') {
    $r = $s->get("/api/genres/?$bad");
    is $r->{status}, 400, "$bad is a 400";
    my ($field) = $bad =~ /^(\w+)/;
    ok $r->{json}{errors}{$field}, "naming the field $field";
}

# ordering
is $s->get('/api/genres/?ordering=-name')->{json}{results}[0]{name}, 'Western', 'ordering=-name';
is $s->get('/api/genres/?ordering=tmdb_id')->{json}{results}[0]{tmdb_id}, 12, 'ordering=tmdb_id';
is $s->get('/api/genres/?ordering=-tmdb_id')->{json}{results}[0]{tmdb_id}, 10770, 'ordering=-tmdb_id';
$r = $s->get('/api/genres/?ordering=popularity');
is $r->{status}, 400, 'an unknown ordering is a 400';
like $r->{json}{detail}, qr/ordering/, 'saying so';

# caching: change the row behind the service's back; the cached page stays
# until memcached goes away, then PostgreSQL answers.  The row changes
# without the service knowing, so [cache] verify, which would report the
# stale page it is meant to find, is off from here.
ok $s->reload_pool(extra_config => "[cache]\nverify = off\n"), 'reloaded without verify';
$s->get('/api/genres/');
$s->psql(q{UPDATE genres SET name = 'Westerns' WHERE slug = 'western'});
is $s->get('/api/genres/')->{json}{results}[-1]{name}, 'Western', 'the page is served from memcached';
$s->stop_memcached;
$r = $s->get('/api/genres/');
is $r->{status}, 200, 'with memcached stopped the list is still 200';
is $r->{json}{results}[-1]{name}, 'Westerns', 'now from PostgreSQL';
isnt $r->{headers}{etag}, $etag, 'with a new ETag';

# the method is not allowed
$r = $s->post('/api/genres/', json => {});
is $r->{status}, 405, 'POST /api/genres/ is 405';
is $r->{headers}{allow}, 'GET, HEAD', 'Allow: GET, HEAD';

$s->finish;
done_testing;
