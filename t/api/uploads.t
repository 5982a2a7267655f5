# Uploaded images are trusted for nothing (issue 12, finding 8): each is
# decoded (libvips) by the loader of the kind its first bytes claim,
# refused when it does not decode or claims more than [media]
# image_pixels_max pixels (from its header, before any pixel is
# decoded), written anew without its metadata, and stored with the sizes
# clients need, which nginx serves, as WebP to those that take it.
# Regressions: a PNG header followed by HTML was stored as it came, and a
# header claiming 100000 x 100000 pixels was accepted.
use strict;
use warnings;
use Test::More;
use Marquee::Images qw(png png_header jpeg webp exif_gps dimensions);
use Marquee::Stack;

my $s = Marquee::Stack->start(workers => 2, extra_config => "[media]\nimage_pixels_max = 4000000\n");
my $d = $s->dir;
my $alice = $s->user('alice');
my $admin = $s->admin;
my $movie = $s->movie($admin, title => 'Uploads', release_date => '2001-01-01');

sub avatar {
    my ($body, $type) = @_;
    return $s->put('/api/users/me/avatar/', token => $alice->{access}, body => $body,
                   headers => { 'Content-Type' => $type // 'image/png' });
}
sub media {
    my ($kind, $body, $type) = @_;
    return $s->post("/api/movies/$movie/media/?kind=$kind", token => $admin->{access}, body => $body,
                    headers => { 'Content-Type' => $type // 'image/png' });
}
# The path under /media/ of a URL, and what nginx serves there.
sub local_path { my ($url) = @_; $url =~ s{^https?://[^/]+}{}r }
sub fetch { my ($url, %h) = @_; $s->get(local_path($url), headers => \%h) }
sub stored_files { my @f = grep { -f } glob "$d/media/*/*/*"; @f }

# --- what does not decode is refused, and nothing is stored ---
my $r = avatar("\x89PNG\r\n\x1a\n<html><body><script>alert(document.cookie)</script></body></html>");
is $r->{status}, 415, 'a PNG header followed by HTML is refused';
is $r->{json}{detail}, 'The body does not decode as a PNG image.', '... as not decoding';
$r = avatar(substr(png(64, 64), 0, 120));
is $r->{status}, 415, 'a truncated PNG is refused';
$r = avatar("\xff\xd8\xff\xe0" . ('x' x 200), 'image/jpeg');
is $r->{status}, 415, 'a JPEG of its first bytes alone is refused';
$r = media('poster', "RIFF\x20\0\0\0WEBPVP8 " . ("\0" x 40), 'image/webp');
is $r->{status}, 415, 'so is a WebP';
is_deeply [stored_files()], [], 'none of them left a file';

# --- pixels: the header's claim is refused before any is decoded ---
$r = avatar(png_header(100000, 100000));
is $r->{status}, 413, 'a header claiming 100000 x 100000 pixels is refused';
is $r->{json}{detail}, 'The image is 100000 x 100000 pixels; at most 4000000 pixels are taken.',
    '... naming its size and the limit';
for my $pid ($s->worker_pids) {
    my ($hwm) = Marquee::Stack::slurp("/proc/$pid/status") =~ /^VmHWM:\s+(\d+) kB/m;
    cmp_ok $hwm // 0, '<', 512 * 1024, "worker $pid never held its 30 GB ($hwm kB at most)";
}
is media('backdrop', png_header(2001, 2000))->{status}, 413,
    'one pixel row over [media] image_pixels_max is refused too';
is avatar(png(2000, 2000))->{status}, 200, 'and an image at the limit is taken';

# --- a polyglot loses its payload, every image its metadata ---
my $exif = exif_gps('MARQUEE-SECRET-PLACE');
$r = avatar(png(80, 60, exif => $exif, text => { Comment => 'MARQUEE-SECRET-TEXT' },
                after => '<html><script>alert(1)</script></html>'));
is $r->{status}, 200, 'a valid PNG with EXIF, a comment and HTML after its end is taken';
my $sizes = $r->{json}{avatar_sizes};
for my $size (qw(original small medium)) {
    my $got = fetch($sizes->{$size});
    is $got->{status}, 200, "its $size is served";
    unlike $got->{content}, qr/MARQUEE-SECRET|<script|eXIf|tEXt|Exif/, "$size: no EXIF, GPS, text or HTML";
}
my $photo = jpeg(exif => $exif);
like $photo, qr/MARQUEE-SECRET-PLACE/, 'a JPEG with EXIF and GPS';
$r = avatar($photo, 'image/jpeg');
is $r->{status}, 200, 'is taken';
$sizes = $r->{json}{avatar_sizes};
like $sizes->{original}, qr{/media/avatars/$alice->{id}-[0-9a-f]{16}/original\.jpg$}, 'as JPEG';
for my $size (qw(original small medium)) {
    my $got = fetch($sizes->{$size});
    is $got->{status}, 200, "its $size is served";
    unlike $got->{content}, qr/MARQUEE-SECRET|Exif|GPS/, "$size: no EXIF, no GPS";
    is((dimensions($got->{content}))[2], 'jpeg', "$size: a JPEG");
}

# --- sizes ---
$r = media('poster', png(600, 900));
is $r->{status}, 201, 'a 600 x 900 poster';
my $poster = $r->{json};
is_deeply [ sort keys %{ $poster->{sizes} } ], [qw(original w185 w342 w500 w780 w92)],
    "with TMDb's poster sizes";
is $poster->{url}, $poster->{sizes}{w500}, 'its url is its w500';
my %want = (w92 => [92, 138], w185 => [185, 277], w342 => [342, 513], w500 => [500, 750],
            w780 => [600, 900], original => [600, 900]);
for my $size (sort keys %want) {
    my $got = fetch($poster->{sizes}{$size});
    is $got->{status}, 200, "$size is served by nginx";
    is_deeply [ dimensions($got->{content}) ], [ @{ $want{$size} }, 'png' ],
        "$size is @{ $want{$size} } (never enlarged)";
    like $got->{headers}{vary} // '', qr/Accept/, '... varying with Accept';
    next if $size eq 'original';
    my $w = fetch($poster->{sizes}{$size}, Accept => 'image/avif,image/webp,*/*');
    is $w->{headers}{'content-type'}, 'image/webp', "$size as WebP to a client that takes it";
    is_deeply [ dimensions($w->{content}) ], [ @{ $want{$size} }, 'webp' ], '... of the same size';
}
my $m = $s->get("/api/movies/$movie/")->{json};
is_deeply $m->{poster_sizes}, $poster->{sizes}, 'the movie shows them as its poster_sizes';
is $m->{poster_url}, $poster->{sizes}{w500}, 'and its poster_url is the w500';
is $m->{backdrop_sizes}, undef, 'no backdrop: no sizes';

$r = media('backdrop', jpeg(), 'image/jpeg');
is $r->{status}, 201, 'a JPEG backdrop';
is_deeply [ sort keys %{ $r->{json}{sizes} } ], [qw(original w1280 w300 w780)], "with TMDb's backdrop sizes";
is_deeply [ dimensions(fetch($r->{json}{sizes}{w300})->{content}) ], [48, 64, 'jpeg'],
    'a small one is never enlarged';
$r = media('still', webp(), 'image/webp');
is $r->{status}, 201, 'a WebP still';
is_deeply [ sort keys %{ $r->{json}{sizes} } ], [qw(original w185 w300 w92)], "with TMDb's still sizes";
is_deeply [ dimensions(fetch($r->{json}{sizes}{w92})->{content}) ], [48, 64, 'webp'], 'in WebP';
my $still = $r->{json};

$r = avatar(png(300, 200));
is $r->{status}, 200, 'a 300 x 200 avatar';
is_deeply [ dimensions(fetch($r->{json}{avatar_sizes}{small})->{content}) ], [64, 64, 'png'],
    'small: 64 x 64, cropped';
is_deeply [ dimensions(fetch($r->{json}{avatar_sizes}{medium})->{content}) ], [256, 200, 'png'],
    'medium: at most 256 x 256, never enlarged';
is $r->{json}{avatar_url}, $r->{json}{avatar_sizes}{medium}, 'avatar_url is the medium';
my $me = $s->get('/api/users/me/', token => $alice->{access})->{json};
is_deeply $me->{avatar_sizes}, $r->{json}{avatar_sizes}, 'and the profile shows them';
is_deeply $s->get('/api/users/alice/')->{json}{avatar_sizes}, $r->{json}{avatar_sizes},
    'as does the public one';

# --- removal takes every size ---
my ($dir) = local_path($still->{sizes}{original}) =~ m{^/media/(.*)/original\.webp$};
ok -d "$d/media/$dir", "the still's sizes are in $dir";
is $s->delete("/api/movies/$movie/media/$still->{id}/", token => $admin->{access})->{status}, 204,
    'the still is deleted';
ok !-e "$d/media/$dir", 'and its directory with every size';
is $s->delete('/api/users/me/avatar/', token => $alice->{access})->{status}, 204, 'the avatar is deleted';
is_deeply [ glob "$d/media/avatars/*" ], [], 'with all its sizes, and the older avatars before it';

$s->finish;
done_testing;
