# Share links: POST /api/shares/ (the link and ready share URLs), and
# GET /s/{code}, an HTML page through nginx with Open Graph and Twitter
# Card tags, every value escaped, 404 for what is not (or no longer)
# public, a visit counter; codes that cannot be guessed; bad input.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $admin = $s->admin;
my ($alice, $bob) = map { $s->user($_) } qw(alice bob);
my $evil = $s->movie($admin, title => q{"<script>alert('x')</script>}, release_date => '2001-01-01',
                     overview => q{Tom & Jerry's "best" <b>day</b>}, poster_path => '/p.jpg');
my $plain = $s->movie($admin, title => 'Heat', release_date => '1995-12-15');
my $A = $alice->{access};

sub share { my ($kind, $id, $token) = @_; $s->post('/api/shares/', token => $token // $A, json => { kind => $kind, id => $id }) }
sub page { my ($url, %o) = @_; (my $path = $url) =~ s{^https?://[^/]+}{}; $s->request($o{method} // 'GET', $path) }

# ---- a movie ----
my $r = share(movie => $evil);
is $r->{status}, 201, 'sharing a movie: 201';
my $link = $r->{json};
like $link->{code}, qr/^[A-Za-z0-9_-]{16}$/, 'a code of 16 base64url characters (96 random bits)';
is $link->{url}, $s->base_url . "/s/$link->{code}", 'its link, on this server';
is $r->{headers}{location}, $link->{url}, 'Location names it';
is $link->{title}, q{"<script>alert('x')</script> (2001)}, 'titled for people';
my $enc = sub { my $v = shift; $v =~ s/([^A-Za-z0-9\-._~])/sprintf '%%%02X', ord $1/ge; $v };
is $link->{intents}{facebook}, 'https://www.facebook.com/sharer/sharer.php?u=' . $enc->($link->{url}),
    'a Facebook link, percent-encoded';
is $link->{intents}{x}, 'https://twitter.com/intent/tweet?text=' . $enc->("$link->{title} on Marquee")
    . '&url=' . $enc->($link->{url}), 'an X (Twitter) link';
like $link->{intents}{whatsapp}, qr{^https://wa\.me/\?text=[^ ]+%20http%3A%2F%2F}, 'WhatsApp';
like $link->{intents}{telegram}, qr{^https://t\.me/share/url\?url=http%3A%2F%2F.*&text=}, 'Telegram';
like $link->{intents}{email}, qr{^mailto:\?subject=%22%3Cscript%3E.*&body=http%3A%2F%2F}, 'email';
$r = share(movie => $evil);
is $r->{status}, 200, 'sharing it again: 200';
is $r->{json}{code}, $link->{code}, 'the same link';
isnt share(movie => $evil, $bob->{access})->{json}{code}, $link->{code}, 'another user\'s link is theirs';

$r = page($link->{url});
is $r->{status}, 200, 'the link\'s page, through nginx';
like $r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, 'is HTML';
like $r->{headers}{'content-security-policy'}, qr/default-src 'none'/, 'with a CSP that runs no script';
my $html = $r->{content};
unlike $html, qr/<script/i, 'no script, whatever the title says';
like $html, qr{<meta property="og:title" content="&quot;&lt;script&gt;alert\(&#39;x&#39;\)&lt;/script&gt; \(2001\)">},
    'og:title, escaped';
like $html, qr{<meta property="og:description" content="Tom &amp; Jerry&#39;s &quot;best&quot; &lt;b&gt;day&lt;/b&gt;">},
    'og:description, escaped';
like $html, qr{<meta property="og:image" content="https://image\.tmdb\.org/t/p/w500/p\.jpg">}, 'og:image';
like $html, qr{<meta property="og:url" content="\Q$link->{url}\E">}, 'og:url';
like $html, qr{<link rel="canonical" href="\Q$link->{url}\E">}, 'a canonical URL';
like $html, qr{<meta property="og:type" content="video\.movie">}, 'og:type';
like $html, qr{<meta name="twitter:card" content="summary_large_image">}, 'a Twitter card';
like $html, qr{<meta name="twitter:title" content="&quot;&lt;script&gt;}, 'titled, escaped';
like $html, qr{<title>&quot;&lt;script&gt;.* · Marquee</title>}, 'and the page\'s title';
like $html, qr{<a href="http://app\.marquee\.test/movies/$evil">}, 'a link to the web app';
my $no_tags = $html =~ s/<[^>]*>//gr;
unlike $no_tags, qr/[<>"]/, 'no raw <, > or " left in the text';

sub visits { $s->psql(qq{SELECT visits FROM shares WHERE code = '$_[0]'}) }
is visits($link->{code}), 1, 'the visit is counted';
page($link->{url}) for 1 .. 3;
is visits($link->{code}), 4, 'each one';
is page($link->{url}, method => 'HEAD')->{status}, 200, 'HEAD answers';
is visits($link->{code}), 4, 'and is not a visit';
is page("$link->{url}?utm_source=x&fbclid=y")->{status}, 200, 'a query string a network adds is fine';

# ---- reviews and lists ----
my $review = $s->post("/api/movies/$plain/reviews/", token => $bob->{access},
                      json => { title => 'Best heist', body => 'De Niro & Pacino.' })->{json}{id};
$r = share(review => $review);
is $r->{status}, 201, 'a review';
is $r->{json}{title}, 'bob on Heat (1995)', 'titled with its author';
$html = page($r->{json}{url})->{content};
like $html, qr{content="Best heist — De Niro &amp; Pacino\.">}, 'its text as the description';
like $html, qr{<meta property="og:type" content="article">}, 'an article';
like $html, qr{<meta name="twitter:card" content="summary">}, 'a summary card without an image';
my $review_url = $r->{json}{url};
$s->delete("/api/reviews/$review/", token => $bob->{access});
$r = page($review_url);
is $r->{status}, 404, 'a deleted review\'s link is a 404';
like $r->{headers}{'content-type'}, qr{^text/html}, 'an HTML page';
like $r->{content}, qr/leads nowhere/, 'saying so';

my $list = $s->post('/api/lists/', token => $A, json => { name => 'Heists & <capers>', is_public => JSON::PP::true })->{json}{id};
$s->post("/api/lists/$list/items/", token => $A, json => { movie => $evil });
$r = share(list => $list);
is $r->{status}, 201, 'a public list';
is $r->{json}{title}, 'Heists & <capers>, a list by alice', 'titled with its owner';
my $list_url = $r->{json}{url};
$html = page($list_url)->{content};
like $html, qr{og:title" content="Heists &amp; &lt;capers&gt;, a list by alice"}, 'escaped on its page';
like $html, qr{og:image" content="https://image\.tmdb\.org/t/p/w500/p\.jpg"}, 'its first poster as the image';
$s->put("/api/lists/$list/", token => $A, json => { name => 'Heists & <capers>', is_public => JSON::PP::false });
is page($list_url)->{status}, 404, 'a list made private: its link is a 404';
is share(list => $list)->{status}, 404, 'and it cannot be shared';
is share(list => $list, $bob->{access})->{status}, 404, 'by anyone';
$s->put("/api/lists/$list/", token => $A, json => { name => 'Heists & <capers>', is_public => JSON::PP::true });
is page($list_url)->{status}, 200, 'public again, it is back';

# another user's provisional movie
my $secret = 0 + $s->psql(qq{WITH m AS (INSERT INTO movies (title, original_title, provisional_by)
                             VALUES ('Secret', 'Secret', $bob->{id}) RETURNING id) SELECT id FROM m});
is share(movie => $secret)->{status}, 404, 'a provisional movie cannot be shared';
is share(movie => $secret, $bob->{access})->{status}, 404, 'not even by its maker: the page is public';

# ---- codes cannot be guessed ----
my %codes = map { (share(movie => $plain, $s->user("user$_")->{access})->{json}{code} => 1) } 1 .. 20;
is scalar(keys %codes), 20, '20 users, 20 different codes';
ok !(grep { !/^[A-Za-z0-9_-]{16}$/ } keys %codes), 'each 16 characters';
is $s->get('/s/AAAAAAAAAAAAAAAA')->{status}, 404, 'a made-up code is a 404';
is $s->get('/s/../api/')->{status}, 404, 'no path tricks';

# ---- bad input ----
for my $case ([{ id => $plain }, 'kind', 'no kind'], [{ kind => 'user', id => 1 }, 'kind', 'kind user'],
              [{ kind => 'movie' }, 'id', 'no id'], [{ kind => 'movie', id => 'x' }, 'id', 'id a string'],
              [{ kind => 'movie', id => 0 }, 'id', 'id 0'],
              [{ kind => 'movie', id => $plain, code => 'mine' }, 'code', 'a code of one\'s own'],
              [{ kind => 'movie', id => $plain, colour => 1 }, 'colour', 'an unknown field']) {
    my ($body, $field, $what) = @$case;
    $r = $s->post('/api/shares/', token => $A, json => $body);
    is $r->{status}, 400, "$what: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
is share(movie => 999999)->{status}, 404, 'no such movie: 404';
is share(review => 999999)->{status}, 404, 'no such review: 404';
is $s->post('/api/shares/', token => $A, body => '{"kind":', headers => { 'Content-Type' => 'application/json' })->{status},
    400, 'malformed JSON: 400';
is $s->post('/api/shares/', json => { kind => 'movie', id => $plain })->{status}, 401, 'sharing needs a token';
is $s->post('/api/shares/', token => $s->expired_token($alice), json => { kind => 'movie', id => $plain })->{status},
    401, 'a live one';

$s->finish;
done_testing;
