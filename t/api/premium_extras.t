# Premium extras, the premium feature enforced by the server: a movie's
# extras (files under the media directory's protected/) are listed only to
# users entitled to premium_media, with URLs signed for five minutes; the
# file goes out through nginx's X-Accel-Redirect, and only for a good,
# unexpired signature.  Others get a 403 naming the plan that unlocks
# them: nobody without a subscription, past_due beyond the grace period,
# canceled once the period is over; past_due within grace and canceled at
# the period's end keep them until then.
use strict;
use warnings;
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64);
use File::Path qw(make_path);
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(payments => 1);
my $admin = $s->admin;
my ($alice, $bob) = map { $s->user($_) } qw(alice bob);
my $heat = $s->movie($admin, title => 'Heat', release_date => '1995-12-15');
my $premium = $s->post('/api/admin/plans/', token => $admin->{access},
                       json => { name => 'Premium', interval => 'month', price => 499, currency => 'EUR',
                                 features => ['premium_media'] })->{json};

# The file, put in place by hand.
my $bytes = join '', map { chr(($_ * 7) % 256) } 0 .. 4095;
make_path($s->dir . '/media/protected/extras');
Marquee::Stack::spew($s->dir . '/media/protected/extras/heat-featurette.mp4', $bytes);
chmod 0755, $s->dir . '/media/protected', $s->dir . '/media/protected/extras';

# ---- an administrator offers it ----
my %extra = (movie => $heat, title => 'Making Heat', file => 'extras/heat-featurette.mp4',
             content_type => 'video/mp4');
my $r = $s->post('/api/admin/extras/', token => $admin->{access}, json => \%extra);
is $r->{status}, 201, 'an administrator offers an extra' or diag $r->{content};
my $id = $r->{json}{id};
is $r->{json}{feature}, 'premium_media', 'for premium_media';
for my $bad ('../../jwt.key', '/etc/passwd', 'extras/../../jwt.key', 'extras/missing.mp4', 'extras',
             '.hidden', 'extras//heat-featurette.mp4') {
    $r = $s->post('/api/admin/extras/', token => $admin->{access}, json => { %extra, file => $bad });
    is $r->{status}, 400, "file $bad is refused";
    ok $r->{json}{errors}{file}, 'naming file';
}
is $s->post('/api/admin/extras/', token => $admin->{access},
            json => { %extra, content_type => 'text/html' })->{status}, 400, 'a text/html extra is refused';
is $s->post('/api/admin/extras/', token => $admin->{access}, json => { %extra, movie => 999999 })->{status},
    400, 'an extra of no movie is refused';
is $s->post('/api/admin/extras/', token => $alice->{access}, json => \%extra)->{status}, 403,
    'a user may not offer extras';

# ---- not entitled ----
sub extras { $s->get("/api/movies/$heat/extras/", token => $_[0]{access}) }
$r = extras($alice);
is $r->{status}, 403, 'without a subscription: 403';
is $r->{headers}{'content-type'}, 'application/problem+json', 'a problem';
is_deeply $r->{json}{plan}, { id => $premium->{id}, name => 'Premium' }, 'naming the plan that unlocks it';
like $r->{json}{detail}, qr/Premium/, 'in words too';
is $s->get("/api/movies/$heat/extras/")->{status}, 401, 'anonymous: log in first';
is $s->get('/api/movies/999999/extras/', token => $alice->{access})->{status}, 404, 'no such movie: 404';
is $s->get("/media/protected/extras/heat-featurette.mp4", unchecked => 'nginx: a static path')->{status}, 404,
    'the file is not public under /media/';
is $s->get("/protected-media/extras/heat-featurette.mp4", unchecked => 'nginx: an internal location')->{status},
    404, 'nor reachable at the internal location';

# ---- entitled ----
my $cs = $s->post('/api/subscriptions/', token => $alice->{access}, json => { plan => $premium->{id} })->{json};
my $sub = $s->pay_control('POST', "/_fake/checkout/$cs->{checkout_id}/complete");
$s->pay_deliver;
wait_until { $s->psql('SELECT count(*) FROM payment_events WHERE processed_at IS NULL') eq '0' }
    what => 'the webhooks to be processed';
$r = extras($alice);
is $r->{status}, 200, 'subscribed: the extras';
is scalar @{ $r->{json} }, 1, 'one';
my $url = $r->{json}[0]{url};
like $url, qr{/api/extras/$id/file/\?expires=\d+&sig=[\w-]{43}$}, 'with a signed URL';
(my $path = $url) =~ s{^https?://[^/]+}{};
my $file = $s->get($path, unchecked => 'the file, sent by nginx from disk');
is $file->{status}, 200, 'the signed URL gives the file';
ok $file->{content} eq $bytes, 'byte for byte (' . length($file->{content}) . ' bytes)';
is $file->{headers}{'x-accel-redirect'}, undef, 'nginx keeps X-Accel-Redirect to itself';
is $s->get($path, token => 'not even a token')->{status}, 200, 'the URL is the only credential';

# forged and expired URLs
my ($expires, $sig) = $path =~ /expires=(\d+)&sig=([\w-]+)/;
my $key_of = sub {
    my $key = hmac_sha256('marquee premium media v1', Marquee::Stack::slurp($s->dir . '/jwt.key'));
    my $mac = encode_base64(hmac_sha256($_[0], $key), '');
    $mac =~ tr{+/}{-_};
    $mac =~ s/=+$//;
    return $mac;
};
is $key_of->("$id.$expires"), $sig, '(the test signs as the server does)';
my $old = time - 1;
for my $case (["/api/extras/$id/file/?expires=$expires&sig=" . ('A' x 43), 'a forged signature'],
              ["/api/extras/$id/file/?expires=" . ($expires + 3600) . "&sig=$sig", 'a later expiry'],
              ["/api/extras/" . ($id + 1) . "/file/?expires=$expires&sig=$sig", 'another extra'],
              ["/api/extras/$id/file/?expires=$old&sig=" . $key_of->("$id.$old"), 'an expired URL'],
              ["/api/extras/$id/file/", 'no signature']) {
    is $s->get($case->[0])->{status}, 403, "$case->[1]: 403";
}

# past_due: in grace, then out of it
$s->pay_control('POST', "/_fake/subscriptions/$sub->{id}/fail");
$s->pay_deliver;
wait_until { $s->psql("SELECT status FROM subscriptions WHERE gateway_id = '$sub->{id}'") eq 'past_due' }
    what => 'past_due';
is extras($alice)->{status}, 200, 'past_due within the grace period: still the extras';
$s->psql("UPDATE subscriptions SET past_due_since = now() - interval '4 days'");
is extras($alice)->{status}, 403, 'past the grace period: 403';
$s->pay_control('POST', "/_fake/subscriptions/$sub->{id}/recover");
$s->pay_deliver;
wait_until { extras($alice)->{status} == 200 } what => 'the recovered subscription to give the extras';

# canceled at the period's end: until then
is $s->delete('/api/subscriptions/', token => $alice->{access})->{status}, 200, 'alice cancels';
is extras($alice)->{status}, 200, 'canceled at the end of the period: the extras until then';
$s->pay_control('POST', "/_fake/subscriptions/$sub->{id}/renew");
$s->pay_deliver;
wait_until { extras($alice)->{status} == 403 } what => 'the extras to go with the period';
is extras($bob)->{status}, 403, 'bob never subscribed: 403';

is $s->delete("/api/admin/extras/$id/", token => $admin->{access})->{status}, 204, 'withdrawn';
is $s->get($path)->{status}, 404, 'its URLs then find nothing';

$s->finish;
done_testing;
