# Media across hosts (issue 21): with [media] store, uploads go to a
# shared media host (nginx's WebDAV module, nginx/media-host.conf, in an
# nginx of its own here) instead of the app host's disk, so an image
# uploaded through one app host is served for every other.  Two pools
# stand for two app hosts; each is talked to directly over FastCGI, so the
# test knows which one did what.  Losing the media host fails uploads with
# 503 (problem+json, Retry-After) and nothing else; replacing and deleting
# an image removes its files from the store.
use strict;
use warnings;
use Test::More;
use HTTP::Tiny;
use JSON::PP;
use Marquee::FastCGI;
use Marquee::Images qw(png dimensions);
use Marquee::Stack;

my $s = Marquee::Stack->start(workers => 2, more_pools => 1, media_store => 1);
my $d = $s->dir;
my ($host_a, $host_b) = $s->fcgi_servers;
$host_a =~ s/^unix://;
my $alice = $s->user('alice');
my $admin = $s->admin;
my $movie = $s->movie($admin, title => 'Shared Media', release_date => '2001-01-01');
my $json = JSON::PP->new->utf8;

# One request to one app host's pool, below nginx.
sub on_host {
    my ($host, $method, $uri, %opt) = @_;
    my $c = Marquee::FastCGI->connect($host);
    my %env = (HTTP_AUTHORIZATION => "Bearer $opt{token}", HTTP_X_REQUEST_ID => 'media-store-t');
    my $res = $c->request($method, $uri, body => $opt{body}, type => $opt{type}, env => \%env);
    $res->{json} = eval { $json->decode($res->{body}) } if ($res->{body} // '') =~ /^\{/;
    return $res;
}
sub avatar_on {
    my ($host, $w) = @_;
    return on_host($host, PUT => '/api/users/me/avatar/', token => $alice->{access},
                   body => png($w // 64, 64), type => 'image/png');
}
# What the media host serves at a URL (its reader, as clients reach it).
sub fetch {
    my ($url, %h) = @_;
    return HTTP::Tiny->new(timeout => 10)->get($url, { headers => \%h });
}

# --- upload through host A, read through host B ---
my $r = avatar_on($host_a);
is $r->{status}, 200, 'an avatar uploaded through host A is stored';
my $sizes = $r->{json}{avatar_sizes};
like $sizes->{original}, qr{^http://127\.0\.0\.1:\d+/media/avatars/$alice->{id}-[0-9a-f]{16}/original\.png$},
    'at [media] url, the media host';
my $b = on_host($host_b, GET => '/api/users/me/', token => $alice->{access});
is $b->{status}, 200, 'host B answers the profile';
is_deeply $b->{json}{avatar_sizes}, $sizes, 'with the same image';
for my $size (sort keys %$sizes) {
    my $got = fetch($sizes->{$size});
    is $got->{status}, 200, "its $size is served";
    is((dimensions($got->{content}))[2], 'png', "... as the PNG it is");
}
is fetch($sizes->{small}, Accept => 'image/webp,*/*')->{headers}{'content-type'}, 'image/webp',
    'and as WebP to a client that takes it';
ok scalar(grep { m{^avatars/} } $s->media_store_files), 'the files are on the media host';
is_deeply [ grep { -f } glob "$d/media/*/*/*" ], [], 'and none on the app host\'s disk';

# --- the store takes writes from the app hosts alone, and reads from no one but GET ---
my $put = HTTP::Tiny->new->request('PUT', $sizes->{original} =~ s{/media/}{/media/x}r, { content => 'x' });
is $put->{status}, 403, 'the readers\' side refuses a PUT';

# --- a new avatar through host B replaces the old one's files ---
my ($old_dir) = $sizes->{original} =~ m{/media/(avatars/[^/]+)/};
$r = avatar_on($host_b, 80);
is $r->{status}, 200, 'a new avatar through host B';
is fetch($sizes->{original})->{status}, 404, 'the old one is gone from the media host';
ok !(grep { index($_, $old_dir) == 0 } $s->media_store_files), '... with every size';
my $current = $r->{json}{avatar_sizes};

# --- a poster, and deleting it ---
$r = on_host($host_a, POST => "/api/movies/$movie/media/?kind=poster", token => $admin->{access},
             body => png(300, 450), type => 'image/png');
is $r->{status}, 201, 'a poster through host A';
my $poster = $r->{json};
my ($poster_dir) = $poster->{sizes}{original} =~ m{/media/([^/]+/[^/]+)/};
is fetch($poster->{sizes}{w92})->{status}, 200, 'is served';
is on_host($host_b, DELETE => "/api/movies/$movie/media/$poster->{id}/", token => $admin->{access})->{status},
    204, 'and deleted through host B';
is fetch($poster->{sizes}{w92})->{status}, 404, 'which removes its files from the media host';
ok !(grep { index($_, $poster_dir) == 0 } $s->media_store_files), '... all of them';

# --- losing the media host fails uploads, and nothing else ---
my @before = $s->media_store_files;
$s->stop_media_host;
for my $host ($host_a, $host_b) {
    $r = avatar_on($host);
    is $r->{status}, 503, "with the media host down, an upload through $host is answered 503";
    like $r->{headers}{'content-type'}, qr{^application/problem\+json}, '... as problem+json';
    is $r->{headers}{'retry-after'}, 10, '... with Retry-After';
    is $r->{json}{detail}, 'The media store is unavailable; try again shortly.', '... saying why';
}
$r = $s->post("/api/movies/$movie/media/?kind=poster", token => $admin->{access}, body => png(300, 450),
              headers => { 'Content-Type' => 'image/png' });
is $r->{status}, 503, 'a poster too, through nginx';
is $s->get('/api/users/me/', token => $alice->{access})->{json}{avatar_url}, $current->{medium},
    'reads go on: the profile still shows the avatar';
is $s->get("/api/movies/$movie/")->{status}, 200, 'a movie';
is $s->get('/api/movies/')->{status}, 200, 'the list';
like $s->post('/api/movies/rate/', token => $alice->{access}, json => { movie => $movie, rating => 4 })->{status},
    qr/^20[01]$/, 'and writes that store no image';
like $s->log_lines(qr/media store: PUT/), qr/Couldn't connect|Connection refused/,
    'the pool logs why the store failed';

$s->start_media_host;
is_deeply [ $s->media_store_files ], \@before, 'the failed uploads left nothing on the media host';
is avatar_on($host_a)->{status}, 200, 'once the media host is back, uploads succeed again';

$s->finish;
done_testing;
