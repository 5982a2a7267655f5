# Uploads onto a full media disk are refused as a passing failure, 503
# with Retry-After as problem+json; nothing of them is left on disk, the
# previous avatar and poster are kept, and no worker keeps the temporary
# file it could not finish open, so that once there is room again uploads
# succeed.  Regressions (bench/chaos, "media disk full"): ENOSPC was
# answered 500, an internal error that clients do not retry; and a write
# that failed with ENOSPC skipped close(), so each failed upload leaked a
# descriptor holding its unlinked, half-written file, whose blocks the
# disk never got back.
#
# The media directory is a small tmpfs mounted for the test, so it runs as
# root only (as ./dev test does).
use strict;
use warnings;
use Test::More;
use Marquee::Images qw(png);
use Marquee::Stack;

plan skip_all => 'mounting a tmpfs for the media directory needs root' if $> != 0;

my $s = Marquee::Stack->start(workers => 2);
my $media = $s->dir . '/media';
my (undef, undef, $uid, $gid) = getpwnam(Marquee::Stack::run_user() // scalar getpwuid($>));
is system('mount', '-t', 'tmpfs', '-o', "size=8m,mode=0755,uid=$uid,gid=$gid", 'mq-test-media', $media),
    0, 'an 8 MB tmpfs is the media directory';
my $mounted = 1;
END { system('umount', $media) if $mounted }

my $alice = $s->user('alice');
my $admin = $s->admin;
my $movie = $s->movie($admin, title => 'Full Disk', release_date => '2001-01-01');
sub avatar {
    $s->put('/api/users/me/avatar/', token => $alice->{access}, body => png(64, 64),
            headers => { 'Content-Type' => 'image/png' });
}
sub poster {
    $s->post("/api/movies/$movie/media/?kind=poster", token => $admin->{access}, body => png(300, 450),
             headers => { 'Content-Type' => 'image/png' });
}
sub files { my @f = grep { -f } glob "$media/*/*/*"; sort @f }
# The files under the media directory the pool's workers hold open.
sub held { map { grep { index($_, $media) == 0 } map { readlink($_) // '' } glob "/proc/$_/fd/*" }
           $s->worker_pids }

my $r = avatar();
is $r->{status}, 200, 'an avatar is stored while there is room';
my $before_url = $r->{json}{avatar_url};
is poster()->{status}, 201, 'and a poster';
my @before = files();

# fill the disk (dd stops at ENOSPC)
system("dd if=/dev/zero of=$media/filler bs=64k 2>/dev/null");
for my $what ([ 'an avatar', \&avatar ], [ 'a poster', \&poster ]) {
    $r = $what->[1]->();
    is $r->{status}, 503, "$what->[0] on a full disk is answered 503";
    like $r->{headers}{'content-type'}, qr{^application/problem\+json}, '... as problem+json';
    is $r->{headers}{'retry-after'}, 60, '... with Retry-After';
    is $r->{json}{detail}, 'There is no room to store the image; try again later.', '... saying why';
}
is_deeply [ files() ], \@before, 'nothing of them was left on disk';
is_deeply [ held() ], [], 'and no worker holds a file of it open';
is $s->get('/api/users/me/', token => $alice->{access})->{json}{avatar_url}, $before_url,
    'the avatar is the one stored before';
is $s->psql("SELECT count(*) FROM movie_media WHERE movie_id = $movie"), 1, 'the movie has its one poster';
like $s->log_lines(qr/No space left on device/), qr/media: /, 'the log says the disk is full';

unlink "$media/filler";
is avatar()->{status}, 200, 'with room again, an avatar is stored';
is poster()->{status}, 201, 'and a poster';

$s->stop_all;
is system('umount', $media), 0, 'the tmpfs is unmounted';
$mounted = 0;
$s->finish;
done_testing;
