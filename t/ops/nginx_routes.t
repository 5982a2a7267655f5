# nginx's site against the route table (`marquee routes`): the path of every
# route, its parameters given sample values, reaches the pool through the
# location nginx picks for it, in the strict rate-limit zone when the route
# is tokenless (the exceptions are listed below), with the body limit the
# pool applies to it; and every part of nginx's own regexes serves a route.
# So a new route that nginx would treat wrongly fails here, not in
# production.  The body limits come from etc/marquee.conf (nginx/render),
# whose values must be the pool's built-in defaults (the dev and test stacks
# run on those).
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use Marquee::Stack;

my $src = Marquee::Stack::srcdir();
my $build = Marquee::Stack::builddir();
my $dir = tempdir(CLEANUP => 1);

# Routes whose zone is not what their tokenless flag says, and why.
my %STRICT = (
    'POST /api/users/password/change/' => [1, 'checks a password'],
    'POST /api/users/verify-email/resend/' => [1, 'sends mail'],
    'POST /api/users/logout/' => [0, 'checks no password, mints no token, sends no mail'],
    'GET /api/extras/{id:int}/file/' => [0, 'a signed URL, for <video>: no password, token or mail'],
    'GET /api/exports/{id:int}/file/' => [0, 'a signed link from a mail: no password, token or mail'],
    'POST /api/payments/webhook/' => [0, "the gateway's signed deliveries, in bursts: no password, token or mail"],
    'GET /api/users/me/calendar.ics/' => [0, 'a secret URL, for calendar clients: no password, token or mail'],
    'POST /api/scrobble/{secret:slug}/plex/' => [0, "a secret URL, for a media server's webhooks: no password, token or mail"],
    'POST /api/scrobble/{secret:slug}/jellyfin/' => [0, "a secret URL, for a media server's webhooks: no password, token or mail"],
    'POST /api/scrobble/{secret:slug}/emby/' => [0, "a secret URL, for a media server's webhooks: no password, token or mail"],
);

# Paths whose body limit nginx sets apart from the pool's [limits], and why.
my %SMALLER = (
    '/api/payments/webhook/' => [65536, "the gateway's events are under 64 KiB, whatever body_max is"],
);

# A value of each parameter type (router.h).
my %SAMPLE = (int => 123, slug => 'alice', lang => 'fr', word => 'abc');

# ---- the route table ----

my (@routes, %by_path, @no_sample);
for (split /\n/, `$build/src/marquee routes`) {
    my ($method, $pattern, $role, @flags) = split ' ';
    my %flag = map { $_ => 1 } @flags;
    (my $path = $pattern) =~ s/\{\w+:(\w+)\}/$SAMPLE{$1} \/\/ do { push @no_sample, "$1 ($pattern)"; $1 }/ge;
    my $r = { name => "$method $pattern", path => $path, upload => $flag{upload} // 0,
              tokenless => $flag{tokenless} // 0, heavy => $flag{heavy} // 0 };
    $r->{strict} = $STRICT{ $r->{name} } ? $STRICT{ $r->{name} }[0] : $r->{tokenless};
    push @routes, $r;
    push @{ $by_path{$path} }, $r;
}
is $?, 0, 'marquee routes runs';
cmp_ok scalar @routes, '>', 0, 'and lists the route table';
is_deeply \@no_sample, [], 'every parameter type has a sample value here';
for my $name (sort keys %STRICT) {
    my ($r) = grep { $_->{name} eq $name } @routes;
    ok $r, "the exception $name is a route";
    isnt $STRICT{$name}[0], $r && $r->{tokenless}, "and an exception: $STRICT{$name}[1]";
}

# ---- the pool's body limits ----

# [limits] as marquee-fcgi reads FILE, in bytes.
Marquee::Stack::spew("$dir/jwt.key", 'k' x 40);
sub pool_limits {
    my ($file) = @_;
    local $ENV{MARQUEE_AUTH_JWT_KEY_FILE} = "$dir/jwt.key";
    local $ENV{MARQUEE_AUTH_COMMON_PASSWORDS} = '';
    my $out = `$build/src/marquee-fcgi -t -c $file 2>&1`;
    my ($limits) = $out =~ /^\[limits\]\n(.*?)(?:^\[|\z)/ms;
    my %l = ($limits // '') =~ /^(body_max|upload_max) = (\d+)$/mg;
    return \%l;
}
Marquee::Stack::spew("$dir/defaults.conf", "; nothing: the built-in defaults\n");
my $limits = pool_limits("$src/etc/marquee.conf");
ok $limits->{body_max} && $limits->{upload_max}, 'marquee-fcgi -t prints [limits] of etc/marquee.conf';
is_deeply pool_limits("$dir/defaults.conf"), $limits,
    "etc/marquee.conf's body_max and upload_max are the pool's defaults";

# ---- nginx's site, rendered ----

# Markers the checks do not read get a placeholder; nginx/render fills
# NGINX_SNIPPETS, BODY_MAX and UPLOAD_MAX itself.
my %markers;
for my $f ("$src/nginx/dev.conf", glob "$src/nginx/snippets/*.conf") {
    $markers{$_} = 1 for Marquee::Stack::slurp($f) =~ /\@([A-Z_]+)\@/g;
}
delete @markers{qw(NGINX_SNIPPETS BODY_MAX UPLOAD_MAX)};
my $render = system($^X, "$src/nginx/render", "$dir/nginx", "$src/nginx/dev.conf",
                    map { "$_=1" } sort keys %markers);
is $render, 0, 'nginx/render renders the site' or BAIL_OUT('nginx/render failed');

# nginx's configuration as a tree: [name, args...] and a block, if any, as
# {block => [...]}.
sub parse_nginx {
    my ($text) = @_;
    my @stack = ([]);
    my @words;
    while ($text =~ /\G(?:\s+|#[^\n]*|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([;{}])|([^\s;{}'"#]+))/gc) {
        if (defined $1 || defined $2 || defined $4) {
            push @words, $1 // $2 // $4;
        } elsif (defined $3 && $3 eq ';') {
            push @{ $stack[-1] }, [splice @words];
        } elsif (defined $3 && $3 eq '{') {
            my $d = [splice @words];
            push @{ $stack[-1] }, $d;
            push @$d, { block => [] };
            push @stack, $d->[-1]{block};
        } elsif (defined $3) {
            pop @stack;
        }
    }
    pos($text) == length $text or die "cannot parse nginx's config at: " . substr($text, pos($text) // 0, 40);
    return $stack[0];
}

sub directives { my ($list, $name) = @_; grep { $_->[0] eq $name } @$list }
sub block { ref $_[0][-1] eq 'HASH' ? $_[0][-1]{block} : [] }
my %UNIT = ('' => 1, k => 1024, m => 1024**2, g => 1024**3);
sub size { my ($n, $u) = $_[0] =~ /^(\d+)([kmg]?)$/i or return "'$_[0]'"; $n * $UNIT{ lc $u } }

my $server = parse_nginx(Marquee::Stack::slurp("$dir/nginx/snippets/marquee-locations.conf"));
my @locations;
for my $d (directives($server, 'location')) {
    my ($mod, $pat) = @$d == 3 ? ('', $d->[1]) : @$d[1, 2];
    next if $pat =~ /^@/;
    my $b = block($d);
    my @zones = map { /^zone=(\w+)/ ? $1 : () } map { @$_[1 .. $#$_] }
        directives(directives($b, 'limit_req') ? $b : $server, 'limit_req');
    my ($cmbs) = (directives($b, 'client_max_body_size'), directives($server, 'client_max_body_size'));
    my ($keep) = directives($b, 'fastcgi_keep_conn');
    push @locations, {
        name => "location $mod $pat" =~ s/  / /r, mod => $mod, pat => $pat,
        re => $mod eq '~' ? qr/$pat/ : $mod eq '~*' ? qr/$pat/i : undef,
        fastcgi => scalar directives($b, 'fastcgi_pass'),
        strict => scalar(grep { $_ eq 'marquee_auth' } @zones),
        body => size($cmbs->[1]), routes => 0, kept => $keep && $keep->[1] ne 'off',
    };
}

# The location nginx picks for a URI: an exact match; else the longest
# prefix if it is ^~; else the first regex that matches; else the longest
# prefix (ngx_http_core_find_location).
sub location_for {
    my ($uri) = @_;
    my ($exact) = grep { $_->{mod} eq '=' && $_->{pat} eq $uri } @locations;
    return $exact if $exact;
    my ($prefix) = sort { length $b->{pat} <=> length $a->{pat} }
        grep { ($_->{mod} eq '' || $_->{mod} eq '^~') && index($uri, $_->{pat}) == 0 } @locations;
    return $prefix if $prefix && $prefix->{mod} eq '^~';
    my ($regex) = grep { $_->{re} && $uri =~ $_->{re} } @locations;
    return $regex // $prefix;
}

# The Retry-After map of marquee-http.conf: the value nginx gives a URI.
my ($map) = grep { $_->[1] eq '$uri' && $_->[2] eq '$marquee_retry_after' }
    directives(parse_nginx(Marquee::Stack::slurp("$dir/nginx/snippets/marquee-http.conf")), 'map');
ok $map, 'marquee-http.conf maps $uri to $marquee_retry_after';
my @entries = $map ? @{ block($map) } : ();
sub retry_after {
    my ($uri) = @_;
    my ($default, $value);
    for (@entries) {
        my ($k, $v) = @$_;
        $default = $v, next if $k eq 'default';
        $value //= $v if $k =~ /^~\*(.*)/s ? $uri =~ /$1/i : $k =~ /^~(.*)/s ? $uri =~ /$1/ : $uri eq $k;
    }
    return ($value // $default, $default);
}

# ---- every route's path, through nginx ----

# nginx chooses by path alone: a path is in the strict zone if one of its
# routes is, and takes the largest body one of them takes.
my %strict = map { my $p = $_; ($p => scalar grep { $_->{strict} } @{ $by_path{$p} }) } keys %by_path;
my @problems;
for my $path (sort keys %by_path) {
    my @rs = @{ $by_path{$path} };
    my $names = join ', ', map { $_->{name} } @rs;
    my $strict = $strict{$path};
    my ($body) = sort { $b <=> $a } map { $_->{upload} ? $limits->{upload_max} : $limits->{body_max} } @rs;
    my $heavy = grep { $_->{heavy} } @rs;
    for my $uri ($path, $path =~ s{(.)/$}{$1}r) {
        my $loc = location_for($uri);
        if (!$loc || !$loc->{fastcgi}) {
            push @problems, "$uri ($names): nginx serves it from " . ($loc ? $loc->{name} : 'no location')
                . ', not the pool';
            next;
        }
        $loc->{routes}++;
        push @problems, "$uri ($names): $loc->{name} is " . ($loc->{strict} ? '' : 'not ')
            . 'in the strict zone marquee_auth' if !$loc->{strict} != !$strict;
        my $want = $SMALLER{$uri} ? $SMALLER{$uri}[0] : $body;
        push @problems, "$uri ($names): $loc->{name} takes bodies of $loc->{body} bytes, not $want"
            if $loc->{body} != $want;
        # a heavy route's request goes to an idle worker (pool/gate.h)
        push @problems, "$uri ($names): $loc->{name} " . ($heavy ? 'keeps' : 'does not keep')
            . ' its FastCGI connections' if !$loc->{kept} == !$heavy;
        my ($retry, $default) = retry_after($uri);
        push @problems, "$uri ($names): Retry-After is $retry, " . ($strict ? 'the default' : 'not the default')
            if ($retry eq $default) == !!$strict;
    }
}
ok !@problems, 'every route reaches the pool in the zone, with the body limit and the connections it needs'
    or diag join "\n", @problems;

# ---- no dead regex in nginx ----

# The parts of a regex some route must need: each alternative of a group
# and each optional group, as [the part, the regex without it].
sub parts {
    my ($re) = @_;
    my (@open, @parts, $class);
    for (my $i = 0; $i < length $re; $i++) {
        my $c = substr $re, $i, 1;
        if ($c eq '\\') { $i++ }
        elsif ($class) { $class = 0 if $c eq ']' }
        elsif ($c eq '[') { $class = 1 }
        elsif ($c eq '(') { push @open, [$i] }
        elsif ($c eq '|' && @open) { push @{ $open[-1] }, $i }
        elsif ($c eq ')' && @open) {
            my @cut = (@{ pop @open }, $i);
            my @alts = map { substr $re, $cut[$_] + 1, $cut[$_ + 1] - $cut[$_] - 1 } 0 .. $#cut - 1;
            for my $k (@alts > 1 ? 0 .. $#alts : ()) {
                push @parts, [$alts[$k], substr($re, 0, $cut[0]) . '(' . join('|', @alts[grep { $_ != $k } 0 .. $#alts])
                    . ')' . substr($re, $i + 1)];
            }
            push @parts, [substr($re, $cut[0], $i - $cut[0] + 2), substr($re, 0, $cut[0]) . substr($re, $i + 2)]
                if substr($re, $i + 1, 1) eq '?';
        }
    }
    return @parts;
}

# A part is dead when the regex without it matches the same routes' paths.
my @uris = map { ($_, s{(.)/$}{$1}r) } keys %by_path;
sub dead_parts {
    my ($what, $re) = @_;
    my $all = grep { /$re/ } @uris;
    return ("$what matches no route") unless $all;
    return map { "$what: the part $_->[0] matches no route that the rest does not" }
        grep { my $without = $_->[1]; $all == grep { /$without/ } @uris } parts($re);
}
my @dead;
for my $loc (grep { $_->{fastcgi} } @locations) {
    push @dead, "$loc->{name} serves no route" unless $loc->{routes};
    push @dead, dead_parts($loc->{name}, $loc->{pat}) if $loc->{re};
}
push @dead, map { dead_parts("map \$marquee_retry_after $_", s/^~\*?//r) } grep { /^~/ } map { $_->[0] } @entries;
ok !@dead, "every location passing to the pool, and every part of its regex, serves a route"
    or diag join "\n", @dead;

done_testing;
