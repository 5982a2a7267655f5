# The web app end to end, in Debian's headless Chromium (web/e2e/run.mjs,
# playwright-core), against a real stack: sign up, confirm the address
# through the caught mail, sign in, browse and filter, search, rate,
# favorites, watchlist, a review, a list, follow, sign out; an
# administrator adds a movie from TMDb, edits it, uploads its poster and
# opens the analytics dashboard.  axe-core checks every page; screenshots
# of each at 1280 and 360 px go to $MQ_BUILDDIR/web-artifacts/.  A fake
# identity provider (t/lib/idp-fake) is configured, so the sign-in page
# shows its buttons and one is walked to a signed-in page.
use strict;
use warnings;
use Test::More;
use JSON::PP ();
use Marquee::Images qw(png);
use Marquee::Stack;

my $src = Marquee::Stack::srcdir();
my $web = "$src/web";
my $chromium = $ENV{CHROMIUM} // '/usr/bin/chromium';
plan skip_all => 'no web app here (a release tarball)' unless -x "$web/build";
plan skip_all => "no $chromium (./dev installs the chromium package)" unless -x $chromium;
system("$web/build") == 0 or BAIL_OUT('web/build failed');

my $s = Marquee::Stack->start(mail => 1, tmdb => 1, oauth => 1, catalog => 200, workers => 3);
$s->idp_user({ sub => 'e2e-social', email => 'social@idp.test', email_verified => JSON::PP::true,
               name => 'Sam Social', preferred_username => 'samsocial' });
my $admin = $s->admin('curator');
my $d = $s->dir;
Marquee::Stack::spew("$d/poster.png", png(300, 450));
# A film only TMDb has (the fake's trending list may import its fixtures).
my $film = JSON::PP::decode_json(Marquee::Stack::slurp("$src/t/fixtures/tmdb/movie-550.json"));
@$film{qw(id imdb_id title original_title)} = (990001, undef, 'The Marquee Test Reel', 'The Marquee Test Reel');
$film->{external_ids}{imdb_id} = undef if ref $film->{external_ids};
$_->{data}{title} &&= 'The Marquee Test Reel' for @{ $film->{translations}{translations} // [] };
$s->tmdb_movie(990001, JSON::PP::encode_json($film));
# A plan to show (subscribing needs the payment gateway: not here).
is $s->post('/api/admin/plans/', token => $admin->{access},
            json => { name => 'Premium', description => 'Trailers, extras, your year in review.',
                      interval => 'month', price => 499, currency => 'EUR',
                      features => [qw(premium_media year_in_review export)] })->{status}, 201, 'a plan is offered';
my $artifacts = Marquee::Stack::builddir() . '/web-artifacts';

local $ENV{E2E_BASE} = 'http://127.0.0.1:' . $s->{port};
local $ENV{E2E_MAIL_DIR} = "$d/mail/mail";
local $ENV{E2E_ADMIN_USER} = 'curator';
local $ENV{E2E_ADMIN_PASSWORD} = 'admin password of curator';
local $ENV{E2E_POSTER} = "$d/poster.png";
local $ENV{E2E_ARTIFACTS} = $artifacts;
local $ENV{CHROMIUM} = $chromium;
local $ENV{E2E_IDP} = $s->idp_url;

# The runner's TAP, each line taken as a test of this file.
open my $run, '-|', 'node', "$web/e2e/run.mjs" or die "node: $!\n";
my $seen = 0;
while (my $line = <$run>) {
    chomp $line;
    if ($line =~ /^(not )?ok \d+ - (.*)$/) {
        ok !$1, $2;
        $seen++;
    } elsif ($line =~ /^# ?(.*)$/) {
        diag $1;
    } elsif ($line !~ /^1\.\.\d+$/) {
        diag $line;
    }
}
close $run;
ok $seen >= 40, "the browser ran the whole journey ($seen checks)";
$s->finish;
done_testing;
