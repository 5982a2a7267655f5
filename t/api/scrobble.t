# Scrobbling from media servers: POST/DELETE /api/users/me/scrobble-secret/
# and the webhooks of Plex (multipart, its "payload" part), Jellyfin (the
# Webhook plugin) and Emby, with payloads shaped as each server documents
# them (t/fixtures/scrobble/): a finished movie becomes a watch-history
# entry and marks the watchlist entry watched, once per event; anything
# else is a 202; bad payloads a 400; a secret opens only its user's.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Marquee::Stack;

my $s = Marquee::Stack->start(tmdb => 1);
my $admin = $s->admin;
my ($alice, $bob) = ($s->user('alice'), $s->user('bob'));
my $A = $alice->{access};

my %id;
for my $tmdb (550, 603, 278) {
    my $r = $s->post('/api/movies/', token => $admin->{access}, json => { tmdb_id => $tmdb });
    die "import $tmdb: $r->{content}" unless $r->{status} == 201;
    $id{$tmdb} = $r->{json}{id};
}
is $s->post('/api/watchlist/', token => $A, json => { movie => $id{550} })->{status}, 201, 'Fight Club on the watchlist';

sub fixture { Marquee::Stack::slurp(Marquee::Stack::srcdir() . "/t/fixtures/scrobble/$_[0]") }

# Plex's body: the event as the "payload" part, and a poster as "thumb".
sub plex_body {
    my ($payload, %o) = @_;
    my $b = '------------------------5c1d2e3f4a5b6c7d';
    my $body = "--$b\r\nContent-Disposition: form-data; name=\"payload\"\r\n"
             . "Content-Type: application/json\r\n\r\n$payload\r\n";
    $body .= "--$b\r\nContent-Disposition: form-data; name=\"thumb\"; filename=\"thumb.jpg\"\r\n"
           . "Content-Type: image/jpeg\r\n\r\n" . ("\xff\xd8\xff\xe0" . "\0" x 70000) . "\r\n" if $o{thumb};
    $body .= "--$b--\r\n";
    return ($body, "multipart/form-data; boundary=$b");
}

sub plex {
    my ($url, $payload, %o) = @_;
    my ($body, $type) = plex_body($payload, %o);
    return $s->post($url, body => $body, headers => { 'Content-Type' => $o{type} // $type });
}
sub json_hook { $s->post($_[0], body => $_[1], headers => { 'Content-Type' => $_[2] // 'application/json' }) }
sub history { [ map { $_->{movie}{id} } @{ $s->get('/api/users/me/history/', token => $_[0])->{json}{results} } ] }
sub path_of { (my $p = $_[0]) =~ s{^https?://[^/]+}{}; $p }

# ---- the secret ----
is $s->post('/api/users/me/scrobble-secret/')->{status}, 401, 'anonymous: 401';
my $r = $s->post('/api/users/me/scrobble-secret/', token => $A);
is $r->{status}, 201, 'a secret: 201';
my %url = map { $_ => path_of($r->{json}{urls}{$_}) } qw(plex jellyfin emby);
my $secret = $r->{json}{secret};
is $url{plex}, "/api/scrobble/$secret/plex/", "Plex's URL";
is $url{emby}, "/api/scrobble/$secret/emby/", "Emby's";
is $r->{headers}{'cache-control'}, 'no-store', '  never stored';
is $s->psql("SELECT count(*) FROM scrobble_secrets WHERE secret_hash = encode(sha256('$secret'), 'hex')"), 1,
    'stored as its SHA-256';

# ---- Plex ----
$r = plex($url{plex}, fixture('plex-media.scrobble.json'), thumb => 1);
is $r->{status}, 201, 'Plex media.scrobble, with its poster: 201' or diag $r->{content};
is $r->{json}{outcome}, 'recorded', '  recorded';
is $r->{json}{movie}, $id{550}, '  Fight Club, by tmdb://550';
is_deeply history($A), [ $id{550} ], 'in the watch history';
my ($entry) = @{ $s->get('/api/watchlist/', token => $A)->{json}{results} };
ok $entry->{watched}, 'the watchlist entry is watched';
is $s->get('/api/users/me/activity/?verb=watched', token => $A)->{json}{count}, 1, 'and the activity logged';
$r = plex($url{plex}, fixture('plex-media.scrobble.json'));
is $r->{status}, 200, 'the same event again (a retry): 200';
is $r->{json}{outcome}, 'duplicate', '  a duplicate';
is_deeply history($A), [ $id{550} ], '  nothing added';
$r = plex($url{plex}, fixture('plex-media.scrobble-legacy-agent.json'));
is $r->{status}, 201, "Plex's legacy agent guid (com.plexapp.agents.imdb://): 201" or diag $r->{content};
is $r->{json}{movie}, $id{603}, '  The Matrix, by its IMDb id';
for my $f ('plex-media.play.json', 'plex-media.scrobble-episode.json') {
    $r = plex($url{plex}, fixture($f));
    is $r->{status}, 202, "$f: 202" or diag $r->{content};
    is $r->{json}{outcome}, 'ignored', '  ignored';
}
like $s->log_lines(qr/scrobble: .*ignored/), qr/media\.play/, 'and logged';

my $unknown = decode_json(fixture('plex-media.scrobble.json'));
$unknown->{Metadata}{Guid} = [ { id => 'tmdb://999999' }, { id => 'imdb://tt9999999' } ];
$r = plex($url{plex}, encode_json($unknown));
is $r->{status}, 202, 'a movie the catalog lacks: 202';
like $r->{json}{detail}, qr/999999/, '  saying which';
delete $unknown->{Metadata}{Guid};
$unknown->{Metadata}{guid} = 'plex://movie/5d776825880197001ec967c6';
is plex($url{plex}, encode_json($unknown))->{json}{detail}, 'The movie has no TMDb or IMDb id.', 'no ids: 202';

is plex($url{plex}, fixture('plex-media.scrobble.json'), type => 'application/json')->{status}, 415,
    'Plex, not multipart: 415';
is json_hook($url{plex}, fixture('plex-media.scrobble.json'))->{status}, 415, '  the JSON alone: 415';
$r = $s->post($url{plex}, body => "--x\r\nContent-Disposition: form-data; name=\"thumb\"\r\n\r\nabc\r\n--x--\r\n",
              headers => { 'Content-Type' => 'multipart/form-data; boundary=x' });
is $r->{status}, 400, 'no payload part: 400';
is $s->post($url{plex}, body => 'garbage', headers => { 'Content-Type' => 'multipart/form-data' })->{status}, 400,
    'no boundary: 400';
for my $bad ('{"event": ', '[1]', '{"Metadata": {}}', '{"event": 7}', '{"event": "media.scrobble"}') {
    $r = plex($url{plex}, $bad);
    is $r->{status}, 400, "Plex payload $bad: 400" or diag $r->{content};
}

# ---- Jellyfin ----
$r = json_hook($url{jellyfin}, fixture('jellyfin-PlaybackStop.json'));
is $r->{status}, 201, 'Jellyfin PlaybackStop: 201' or diag $r->{content};
is $r->{json}{movie}, $id{278}, '  by Provider_tmdb';
is json_hook($url{jellyfin}, fixture('jellyfin-PlaybackStop.json'))->{status}, 200, '  a retry: 200';
my $jf = decode_json(fixture('jellyfin-PlaybackStop.json'));
$jf->{PlayedToCompletion} = JSON::PP::false;
$jf->{PlaybackPositionTicks} = 600000000;
$r = json_hook($url{jellyfin}, encode_json($jf));
is $r->{status}, 202, 'stopped halfway: 202';
is $r->{json}{detail}, 'Not played to completion.', '  saying so';
$jf->{PlayedToCompletion} = JSON::PP::true;
$jf->{NotificationType} = 'PlaybackStart';
is json_hook($url{jellyfin}, encode_json($jf))->{status}, 202, 'PlaybackStart: 202';
$jf->{NotificationType} = 'PlaybackStop';
$jf->{Provider_tmdb} = 'x';
$jf->{UtcTimestamp} = '2026-12-07T08:10:11.1234567Z';
$r = json_hook($url{jellyfin}, encode_json($jf));
is $r->{status}, 201, 'a second watching, by Provider_imdb when the TMDb id is no id: 201';
is $r->{json}{movie}, $id{278}, '  the same movie';
for my $bad ('not json', '[]', '{}', '{"NotificationType": 1}') {
    is json_hook($url{jellyfin}, $bad)->{status}, 400, "Jellyfin $bad: 400";
}
is json_hook($url{jellyfin}, fixture('jellyfin-PlaybackStop.json'), 'text/plain')->{status}, 415, 'text/plain: 415';

# ---- Emby ----
$r = json_hook($url{emby}, fixture('emby-playback.stop.json'));
is $r->{status}, 201, 'Emby playback.stop: 201' or diag $r->{content};
is $r->{json}{movie}, $id{603}, '  by Item.ProviderIds.Tmdb';
is json_hook($url{emby}, fixture('emby-playback.stop.json'))->{status}, 200, '  a retry: 200';
my $em = decode_json(fixture('emby-playback.stop.json'));
$em->{PlaybackInfo}{PlayedToCompletion} = JSON::PP::false;
is json_hook($url{emby}, encode_json($em))->{status}, 202, 'not to completion: 202';
$em->{PlaybackInfo}{PlayedToCompletion} = JSON::PP::true;
$em->{Event} = 'playback.start';
is json_hook($url{emby}, encode_json($em))->{status}, 202, 'playback.start: 202';
for my $bad ('{"Event": "playback.stop"}', '{"Title": "x"}', '{"Event": "playback.stop", "Item": []}') {
    is json_hook($url{emby}, $bad)->{status}, 400, "Emby $bad: 400";
}
is_deeply [ sort { $a <=> $b } @{ history($A) } ], [ sort { $a <=> $b } @id{550, 603, 278, 278, 603} ],
    'five watchings recorded in all';

# ---- other users, rotation, revocation ----
my $bs = $s->post('/api/users/me/scrobble-secret/', token => $bob->{access})->{json};
$r = plex(path_of($bs->{urls}{plex}), fixture('plex-media.scrobble.json'));
is $r->{status}, 201, "the same event at bob's URL: bob's, not a duplicate of alice's";
is_deeply history($bob->{access}), [ $id{550} ], "  in bob's history";
is scalar @{ history($A) }, 5, "  and not in alice's";
is plex("/api/scrobble/$bs->{secret}x/plex/", fixture('plex-media.scrobble.json'))->{status}, 404,
    'a secret that is none: 404';
is plex('/api/scrobble/' . ('A' x 43) . '/plex/', fixture('plex-media.scrobble.json'))->{status}, 404,
    '  nor one of the right shape';
$r = $s->post('/api/users/me/scrobble-secret/', token => $A);
is $r->{status}, 201, 'a new secret for alice';
is json_hook($url{emby}, fixture('emby-playback.stop.json'))->{status}, 404, 'the old URLs: 404';
my $new = path_of($r->{json}{urls}{emby});
is json_hook($new, fixture('emby-playback.stop.json'))->{status}, 200, 'the new one: known (a duplicate)';
is $s->delete('/api/users/me/scrobble-secret/', token => $A)->{status}, 204, 'revoked: 204';
is json_hook($new, fixture('emby-playback.stop.json'))->{status}, 404, '  its URLs: 404';
is $s->delete('/api/users/me/scrobble-secret/', token => $A)->{status}, 404, 'revoking none: 404';
is json_hook(path_of($bs->{urls}{emby}), fixture('emby-playback.stop.json'))->{status}, 201, "bob's still works";

$s->finish;
done_testing;
