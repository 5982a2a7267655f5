# The languages of answers (po/, core/i18n.c): every route's 401, 404 and
# 400 field errors in French, Accept-Language's q-values and fallbacks
# (pt-PT to pt-BR to en), ?language= over the header, Content-Language
# and Vary, numbers that keep their dot in a French answer, and mail in
# the language of the request or of the recipient's saved locale.
use strict;
use warnings;
use utf8;
use Encode qw(decode);
use Test::More;
use Marquee::Stack;

binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);

my $s = Marquee::Stack->start(mail => 1);
my $admin = $s->admin;
my $alice = $s->user('alice');

my %TITLE_FR = (400 => 'Requête incorrecte', 401 => 'Non authentifié', 404 => 'Introuvable');

sub ask {
    my ($method, $path, $lang, %o) = @_;
    my %h = (%{ $o{headers} // {} }, 'Accept-Language' => $lang);
    return $s->request($method, $path, %o, headers => \%h);
}

# The texts of a problem: its detail and every field message.
sub texts {
    my ($j) = @_;
    my @t = ($j->{detail} // '');
    push @t, map { @{ $j->{errors}{$_} } } sort keys %{ $j->{errors} // {} };
    return @t;
}

# ---- every route, in English and in French ----
my $build = Marquee::Stack::builddir();
my %SAMPLE = (int => 2000000000, slug => 'nobody-here', lang => 'fr', word => 'nope');
my (%seen, @untranslated);
for (split /\n/, `$build/src/marquee routes`) {
    my ($method, $pattern, $role, @flags) = split ' ';
    next unless $pattern =~ m{^/api/};
    my %flag = map { $_ => 1 } @flags;
    (my $path = $pattern) =~ s/\{\w+:(\w+)\}/$SAMPLE{$1}/ge;
    my $body = $method =~ /^(POST|PUT|PATCH)$/;
    my @cases = (
        # a token that is no token: 401 wherever one is read
        ($flag{tokenless} ? () : [ 401, $path, headers => { Authorization => 'Bearer not-a-token' } ]),
        # ids that name nothing, asked by an administrator
        ($pattern =~ /\{/ ? [ 404, $path, token => $admin->{access}, ($body ? (json => {}) : ()) ] : ()),
        # a member or a parameter no route takes
        [ 400, $body ? ($path, json => { zz_unknown => 1 }) : ("$path?zz_unknown=1"),
          token => $admin->{access} ],
    );
    for my $c (@cases) {
        my ($want, $p, %o) = @$c;
        $o{unchecked} = 'the route table walked with bad input' if $want == 400 && $p =~ /zz_unknown/;
        my $en = ask($method, $p, 'en', %o);
        next unless $en->{status} == $want && ref $en->{json} eq 'HASH';
        next if $want == 400 && !$en->{json}{errors};
        my $fr = ask($method, $p, 'fr', %o);
        my $name = "$method $pattern $want";
        $seen{$want}++;
        if ($fr->{status} != $want || ($fr->{json}{title} // '') ne $TITLE_FR{$want}) {
            push @untranslated, "$name: $fr->{status} $fr->{json}{title}";
            next;
        }
        my @en = texts($en->{json});
        my @fr = texts($fr->{json});
        for my $i (0 .. $#en) {
            push @untranslated, "$name: \"$en[$i]\"" if defined $fr[$i] && $fr[$i] eq $en[$i];
        }
    }
}
cmp_ok $seen{401} // 0, '>', 80, "401 of every route that reads a token ($seen{401})";
cmp_ok $seen{404} // 0, '>', 25, "404 of the routes with ids ($seen{404})";
cmp_ok $seen{400} // 0, '>', 60, "400 field errors of the routes ($seen{400})";
is_deeply \@untranslated, [], 'each of them in French: title, detail and field messages';

# ---- negotiation ----
my @NEGOTIATE = (
    [ 'fr-FR', 'Introuvable', 'fr-FR' ],
    [ 'de;q=0.5, fr;q=0.9', 'Introuvable', 'fr' ],
    [ 'pt-PT', 'Não encontrado', 'pt-PT, pt-BR' ],
    [ 'pt', 'Não encontrado', 'pt, pt-BR' ],
    [ 'it, es;q=0.3', 'No encontrado', 'it, es' ],
    [ 'fr;q=0, de', 'Nicht gefunden', 'de' ],
    [ 'xx, *;q=0.5', 'Not Found', 'xx, en' ],
    [ '', 'Not Found', 'en-US' ],
    [ 'en-GB, fr;q=0.9', 'Not Found', 'en-GB' ],
    [ 'nonsense;;q=abc', 'Not Found', 'en-US' ],
);
for my $n (@NEGOTIATE) {
    my ($header, $title, $content) = @$n;
    my $r = ask('GET', '/api/no-such-thing/', $header);
    is $r->{json}{title}, $title, "Accept-Language: $header → $title";
    is $r->{headers}{'content-language'}, $content, "  Content-Language: $content";
    like $r->{headers}{vary} // '', qr/Accept-Language/, '  Vary: Accept-Language';
}
my $movie = { id => $s->movie($admin, title => "Le Samouraï") };
my $r = ask('GET', "/api/movies/$movie->{id}/?language=qq-", 'de');
is $r->{status}, 400, '?language= malformed: 400';
is $r->{json}{errors}{language}[0], 'Muss ein Sprach-Tag wie fr oder pt-BR sein.', 'in German, from the header';
$r = ask('GET', '/api/movies/2000000000/?language=es', 'de');
is $r->{json}{title}, 'No encontrado', '?language=es over Accept-Language: de';
is $r->{headers}{'content-language'}, 'es', 'Content-Language: es';
$r = ask('GET', "/api/movies/$movie->{id}/", 'pt-BR');
is $r->{status}, 200, 'a movie asked in pt-BR';
is $r->{headers}{'content-language'}, 'pt-BR', 'Content-Language: pt-BR on a 200 too';
like $r->{headers}{vary} // '', qr/Accept-Language/, 'Vary: Accept-Language';

# ---- numbers keep their dot ----
is $s->post('/api/movies/rate/', token => $alice->{access}, json => { movie => $movie->{id}, rating => 3.5 })->{status},
    201, 'alice rates 3.5';
for my $lang (qw(fr de es pt-BR)) {
    $r = ask('GET', "/api/movies/$movie->{id}/ratings/", $lang);
    like $r->{content}, qr/"average":3\.50?[,}]/, "$lang: the average is 3.5 in JSON";
    unlike $r->{content}, qr/\d,\d/, "$lang: no decimal comma anywhere";
}

# ---- search by translated titles ----
my $thieves = $s->movie($admin, title => 'Bicycle Thieves', overview => 'A poster hanger in Rome.');
for ([ fr => 'Le Voleur de bicyclette', 'Un colleur d\'affiches à Rome.' ],
     [ de => 'Fahrraddiebe', 'Ein Plakatkleber in Rom.' ]) {
    is $s->put("/api/movies/$thieves/translations/$_->[0]/", token => $admin->{access},
               json => { title => $_->[1], overview => $_->[2] })->{status}, 201, "its $_->[0] title";
}
sub found {
    my ($query, $lang) = @_;
    my $r = ask('GET', "/api/movies/?$query", $lang);
    return join ',', map { $_->{title} } @{ $r->{json}{results} // [] };
}
is found('title=voleur', 'fr'), 'Le Voleur de bicyclette', 'title=voleur in French: found by its French title';
is found('title=VOLEUR', 'fr-CA'), 'Le Voleur de bicyclette', 'fr-CA reads the fr translation, case folded';
is found('title=fa', 'de'), 'Fahrraddiebe', 'a prefix of two letters';
is found('title=voleur', 'en'), '', 'not in English';
is found('title=voleur', 'de'), '', 'nor in German';
is found('title=fahrrad', 'de-AT'), 'Fahrraddiebe', 'title=fahrrad in de-AT';
is found('title=bicycle', 'de'), 'Fahrraddiebe', 'the original title still matches';
is found('q=plakatkleber', 'de'), 'Fahrraddiebe', 'q= searches the translated overview';
is found('q=voleur+bicyclette', 'fr'), 'Le Voleur de bicyclette', 'and the translated title';
my $count = ask('GET', '/api/movies/?title=voleur&page_size=1', 'fr')->{json}{count};
is $count, 1, 'counted in French';
is ask('GET', '/api/movies/?title=voleur&page_size=1', 'en')->{json}{count}, 0,
    'and in English apart (the count is cached per language)';

# ---- share pages ----
my $share = ask('POST', '/api/shares/', 'es', token => $alice->{access},
                json => { kind => 'movie', id => $movie->{id} });
is $share->{status}, 201, 'alice shares the movie';
like $share->{json}{intents}{x}, qr/Le%20Samoura%C3%AF%20en%20Marquee/, 'the share text in Spanish';
my $page = ask('GET', "/s/$share->{json}{code}", 'pt-BR');
is $page->{status}, 200, 'its page';
my $html = decode('UTF-8', $page->{content});
like $html, qr/<html lang="pt-BR">/, 'in Brazilian Portuguese: <html lang>';
like $html, qr/>Abrir no Marquee</, 'and its link';
$page = ask('GET', '/s/AAAAAAAAAAAAAAAA', 'de');
like decode('UTF-8', $page->{content}), qr/Hier ist nichts/, 'a code that leads nowhere, in German';

# ---- mail ----
# in the language of the request that made it
my $reg = $s->post('/api/users/register/', headers => { 'Accept-Language' => 'es' },
                   json => { username => 'carla', email => 'carla@example.test',
                             password => 'correct horse carla battery' });
is $reg->{status}, 201, 'carla registers, in Spanish';
my $mail = $s->wait_mail('carla@example.test');
is $mail->{subject}, 'Confirma tu dirección de correo para Marquee', 'the confirmation mail: Spanish subject';
like decode('UTF-8', $mail->{body}), qr/¡Te damos la bienvenida a Marquee!/, 'and body';
like decode('UTF-8', $mail->{body}), qr/en un plazo de \d+ horas?/, 'its duration too';
like $mail->{headers}{subject}, qr/^=\?UTF-8\?B\?/, 'the subject as RFC 2047 encoded words';

# in the recipient's saved locale, whatever the actor's language
$r = $s->patch('/api/users/me/', token => $alice->{access}, json => { locale => 'de' });
is $r->{status}, 200, 'alice saves locale de';
$s->psql("UPDATE users SET email_verified_at = now() WHERE username = 'alice'");
$s->psql(q{INSERT INTO notification_settings (user_id, kind, email)
           SELECT id, 'follow', true FROM users WHERE username = 'alice'});
my $bob = $s->user('bob');
$r = ask('POST', '/api/users/alice/follow/', 'fr', token => $bob->{access});
ok $r->{status} == 200 || $r->{status} == 201, 'bob, reading French, follows alice';
wait_until { ($mail) = grep { $_->{to} eq 'alice@example.test' && $_->{subject} =~ /bob/ } $s->mails }
    what => 'the mail telling alice';
is $mail->{subject}, 'bob folgt Ihnen jetzt.', 'alice is told in German';
like decode('UTF-8', $mail->{body}), qr/^Hallo alice,/, 'greeted in German';
like decode('UTF-8', $mail->{body}), qr/Benachrichtigungseinstellungen/, 'with the footer in German';

$s->finish;
done_testing;
