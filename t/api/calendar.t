# The watchlist's release calendar: POST/DELETE /api/users/me/calendar-token/
# and GET /api/users/me/calendar.ics?token=, an RFC 5545 feed read here by
# a real parser (Python's icalendar) as well as line by line: folding at
# 75 octets, escaping, stable UIDs and DTSTAMPs, all-day dates, the
# user's region, the ETag, and the token's rotation and revocation.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode_utf8 decode_utf8);
use File::Temp qw(tempfile);
use JSON::PP;
use Marquee::Stack;

binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);

# Debian's Python, where python3-icalendar is (not another on PATH)
my $PYTHON = '/usr/bin/python3';
system($PYTHON, '-c', 'import icalendar') == 0
    or BAIL_OUT('python3-icalendar is missing (./dev installs it)');

my $s = Marquee::Stack->start(tmdb => 1);
my $admin = $s->admin;
my ($alice, $bob) = ($s->user('alice'), $s->user('bob'));
my $A = $alice->{access};

my %id;
for my $tmdb (550, 603) {
    my $r = $s->post('/api/movies/', token => $admin->{access}, json => { tmdb_id => $tmdb });
    die "import $tmdb: $r->{content}" unless $r->{status} == 201;
    $id{$tmdb} = $r->{json}{id};
}
# a title to escape (; , \) and to fold (long, with characters of 2 and 3 octets)
my $odd = 'Ça; «the long, long title» of a film whose name runs on \\ and on — past any calendar\'s 75 octets';
my $fc = $id{550};
my $local = $s->movie($admin, title => $odd, release_date => '2027-02-14');
my $dateless = $s->movie($admin, title => 'Sometime');
for my $m ($id{550}, $id{603}, $local, $dateless) {
    my $r = $s->post('/api/watchlist/', token => $A, json => { movie => $m });
    die "watchlist: $r->{content}" unless $r->{status} == 201;
}
my ($rc, $out) = $s->marquee('watch', 'refresh');
is $rc, 0, 'release dates read from TMDb' or diag $out;

sub feed {
    my ($url, %o) = @_;
    (my $path = $url) =~ s{^https?://[^/]+}{};
    return $s->get($path, %o);
}

# The feed as Python's icalendar reads it: its calendar's properties and
# its events, or the parser's complaint.
sub parsed {
    my ($body) = @_;
    my ($fh, $file) = tempfile(UNLINK => 1);
    binmode $fh;
    print {$fh} $body;
    close $fh;
    my $py = <<'PY';
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
events = []
for e in cal.walk('VEVENT'):
    events.append({'uid': str(e['UID']), 'summary': str(e['SUMMARY']),
                   'description': str(e['DESCRIPTION']), 'url': str(e['URL']),
                   'start': e.decoded('DTSTART').isoformat(), 'end': e.decoded('DTEND').isoformat(),
                   'start_is_date': type(e.decoded('DTSTART')).__name__ == 'date',
                   'stamp': e.decoded('DTSTAMP').isoformat()})
print(json.dumps({'version': str(cal['VERSION']), 'prodid': str(cal['PRODID']),
                  'name': str(cal['X-WR-CALNAME']), 'events': events}))
PY
    open my $p, '-|', $PYTHON, '-c', $py, $file or die "$PYTHON: $!";
    my $json = do { local $/; <$p> };
    close $p;
    return eval { decode_json($json) } // { error => $json };
}

# ---- the token ----
is $s->post('/api/users/me/calendar-token/')->{status}, 401, 'a token, anonymous: 401';
my $r = $s->post('/api/users/me/calendar-token/', token => $A);
is $r->{status}, 201, 'a token: 201';
my ($token, $url) = @{ $r->{json} }{qw(token url)};
like $url, qr{/api/users/me/calendar\.ics\?token=\Q$token\E$}, "the feed's URL";
is $r->{headers}{'cache-control'}, 'no-store', '  never stored';
is $s->psql("SELECT count(*) FROM calendar_tokens WHERE token_hash = encode(sha256('$token'), 'hex')"), 1,
    'stored as its SHA-256';
is $s->psql("SELECT count(*) FROM calendar_tokens WHERE token_hash = '$token'"), 0, '  never as itself';

# ---- the feed ----
$r = feed($url);
is $r->{status}, 200, 'the feed: 200' or diag $r->{content};
like $r->{headers}{'content-type'}, qr{^text/calendar; charset=utf-8$}, 'text/calendar';
my $body = $r->{content};
my $etag = $r->{headers}{etag};
ok $etag, 'an ETag';
my @lines = split /\r\n/, $body, -1;
is pop @lines, '', 'every line ends with CRLF';
unlike $body, qr/(?<!\r)\n/, '  and no bare LF';
is_deeply [ grep { length($_) > 75 } @lines ], [], 'no line longer than 75 octets';
my @folded = grep { /^ / } @lines;
ok @folded, 'long lines folded (continuations begin with a space)';
(my $unfolded = $body) =~ s/\r\n //g;
is_deeply [ grep { my $l = $_; !utf8::decode($l) } @lines ], [],
    'every line is UTF-8 by itself: no fold splits a character';
like decode_utf8($unfolded), qr/SUMMARY:Ça\\; «the long\\, long title» of a film whose name runs on \\\\ and on/,
    'TEXT escaped: \\; \\, \\\\' ;

my $cal = parsed($body);
ok !$cal->{error}, "Python's icalendar reads it" or diag $cal->{error};
is $cal->{version}, '2.0', 'VERSION:2.0';
like $cal->{prodid}, qr{^-//Marquee//}, 'PRODID';
like $cal->{name}, qr/alice/, "the calendar's name";
my %ev = map { ("$_->{summary}" => $_) } @{ $cal->{events} };
is_deeply [ sort keys %ev ],
    [ sort 'Fight Club: in theaters', 'Fight Club: digital release', 'The Matrix: in theaters',
      "$odd: release" ], 'one event per release of each movie (none for a movie without a date)'
    or diag explain $cal;
is $ev{'Fight Club: in theaters'}{start}, '1999-10-15', "US theatrical release (TMDb's type 3)";
is $ev{'Fight Club: in theaters'}{end}, '1999-10-16', '  an all-day event: DTEND the next day';
ok $ev{'Fight Club: in theaters'}{start_is_date}, '  VALUE=DATE';
is $ev{'Fight Club: digital release'}{start}, '2000-06-06', 'US digital release (type 4)';
is $ev{'The Matrix: in theaters'}{start}, '1999-03-31', "the region's date, not the catalog's";
is $ev{"$odd: release"}{start}, '2027-02-14', "no region's dates: the catalog's";
like $ev{'Fight Club: in theaters'}{description}, qr/in US/, 'the description names the region';
like $ev{'Fight Club: in theaters'}{url}, qr{/api/movies/$fc/$}, 'URL: the movie';
like $_->{stamp}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/, "DTSTAMP in UTC ($_->{summary})" for values %ev;
my %uids = map { $_->{uid} => 1 } values %ev;
is scalar keys %uids, 4, 'UIDs unique';
like $ev{'Fight Club: in theaters'}{uid}, qr/^movie-$fc-theatrical-US@/, '  made of the movie, kind and region';

$r = feed($url);
is $r->{content}, $body, 'the same data: the same bytes';
is $r->{headers}{etag}, $etag, '  and ETag';
$r = feed($url, headers => { 'If-None-Match' => $etag });
is $r->{status}, 304, 'If-None-Match: 304';
is length($r->{content} // ''), 0, '  no body';
$r = feed($url, headers => { Authorization => 'Bearer x.y.z' });
is $r->{status}, 200, 'an Authorization header is not read (calendar clients send none)';

# ---- the user's region ----
$s->patch('/api/users/me/', token => $A, json => { region => 'FR' });
$r = feed($url);
isnt $r->{headers}{etag}, $etag, 'the region changed: another ETag';
$cal = parsed($r->{content});
%ev = map { ("$_->{summary}" => $_) } @{ $cal->{events} };
is $ev{'Fight Club: in theaters'}{start}, '1999-11-10', 'in France: the earliest French theatrical date';
is $ev{'Fight Club: digital release'}{start}, '2001-03-01', '  digital';
is $ev{'The Matrix: release'}{start}, '1999-03-30', "no French dates: the catalog's";
like $ev{'Fight Club: in theaters'}{uid}, qr/-theatrical-FR@/, '  another event';

# ---- the watchlist changes ----
$etag = $r->{headers}{etag};
my $wl = $s->get('/api/watchlist/', token => $A)->{json}{results};
my ($entry) = grep { $_->{movie}{id} == $id{603} } @$wl;
ok $entry, 'the Matrix entry';
is $s->delete("/api/watchlist/$entry->{id}/", token => $A)->{status}, 204, 'off the watchlist';
$r = feed($url);
isnt $r->{headers}{etag}, $etag, 'another ETag';
unlike $r->{content}, qr/Matrix/, '  and its release is gone';

# ---- rotation, revocation, other users ----
$r = $s->post('/api/users/me/calendar-token/', token => $A);
is $r->{status}, 201, 'a new token';
my $url2 = $r->{json}{url};
isnt $url2, $url, '  another URL';
is feed($url)->{status}, 404, 'the old URL: 404';
is feed($url2)->{status}, 200, 'the new one: 200';
my $b = $s->post('/api/users/me/calendar-token/', token => $bob->{access})->{json}{url};
$r = feed($b);
is $r->{status}, 200, "bob's feed";
unlike $r->{content}, qr/Fight Club/, "  has none of alice's movies";
like $r->{content}, qr/X-WR-CALNAME:Marquee: bob/, '  and is his';
is $s->delete('/api/users/me/calendar-token/', token => $A)->{status}, 204, 'revoked: 204';
is feed($url2)->{status}, 404, '  the URL opens nothing';
is $s->delete('/api/users/me/calendar-token/', token => $A)->{status}, 404, 'revoking none: 404';
is feed($b)->{status}, 200, "bob's still works";
is $s->get('/api/users/me/calendar.ics')->{status}, 400, 'no token: 400';
for my $bad ('x', 'A' x 43, 'A' x 44, "$token&x=1") {
    is $s->get("/api/users/me/calendar.ics?token=$bad")->{status}, $bad =~ /&/ ? 400 : 404,
        "token=$bad: refused";
}
$s->psql("UPDATE users SET is_active = false WHERE username = 'bob'");
is feed($b)->{status}, 404, 'a deactivated account: 404';

$s->finish;
done_testing;
