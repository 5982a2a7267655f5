package Marquee::OpenAPI;

# The contract the tests enforce: every answer a test receives through the
# harness (Marquee::Stack's request helpers, Marquee::FastCGI) is checked
# against docs/openapi.yaml here, so that every API test, present and
# future, tests the document too.
#
#   Marquee::OpenAPI::enforce($method, $path, $res, via => 'nginx');
#
# checks that the operation documents the status, that the Content-Type is
# one it documents for that status, that a JSON body matches the schema
# (JSON::Validator) and has no member the schema does not name, that a
# response documented without a body has none, and that the headers it
# documents are there when required and well formed.  A mismatch fails the
# test that made the request, with the method, path, status and the
# validator's messages.
#
# The document is read and resolved once per process; each operation's
# response (method, path template, status, media type) is looked up once
# and kept.  Forked children (Marquee::Stack::in_parallel) cannot emit
# TAP: they spool their failures to a file the test process reports from
# (collect()).

use strict;
use warnings;

use Fcntl qw(:flock);
use File::Temp ();
use IO::Uncompress::Gunzip ();
use JSON::PP ();
use JSON::Validator::Schema::OpenAPIv3;
use Storable qw(dclone);
use Test::More ();
use Time::HiRes qw(time);
use YAML::XS ();

my $OWNER = $$;
my $SPOOL = File::Temp->new(TEMPLATE => 'openapi-contract-XXXXXX', TMPDIR => 1);
my %COUNT;       # responses by kind of check: body, type, skip
my %SKIPPED;     # skipped ones by reason
my $SPENT = 0;   # seconds spent loading the document and checking
my $SHARED;

# The document of the source tree this harness belongs to, loaded once.
sub shared {
    return $SHARED if $SHARED;
    require Marquee::Stack;
    my $t = time;
    $SHARED = __PACKAGE__->load(Marquee::Stack::srcdir() . '/docs/openapi.yaml');
    $SPENT += time - $t;
    return $SHARED;
}

# load(FILE): the document, resolved, with a matcher for its paths.
sub load {
    my ($class, $file) = @_;
    local $YAML::XS::Boolean = 'JSON::PP';
    my $doc = nullable(YAML::XS::LoadFile($file));
    # (new() resolves the references; an id spares it a checksum of the
    # whole document)
    my $jv = JSON::Validator::Schema::OpenAPIv3->new($doc, id => "file://$file");
    # OpenAPIv3 coerces by default ("1" passes for 1, and the data is
    # changed): an answer must have the types the document says
    $jv->coerce({});
    # decoded JSON has no cycles: no checksum of every node it visits
    $jv->recursive_data_protection(0);
    my $self = bless { jv => $jv, doc => $doc, file => $file, cache => {} }, $class;
    $self->{paths} = [ sort { $a->{rank} cmp $b->{rank} } map { $self->path_matcher($_) }
                       keys %{ $doc->{paths} } ];
    return $self;
}

# The document with OpenAPI 3.1's "type: [T, 'null']" as 3.0's "type: T,
# nullable: true", which JSON::Validator knows too: the same meaning,
# checked without trying each type in turn (a third of the time).
sub nullable {
    my ($node) = @_;
    if (ref $node eq 'HASH') {
        my $t = $node->{type};
        if (ref $t eq 'ARRAY' && @$t == 2 && grep { !ref && $_ eq 'null' } @$t) {
            my ($type) = grep { $_ ne 'null' } @$t;
            @$node{qw(type nullable)} = ($type, JSON::PP::true);
        }
        nullable($_) for values %$node;
    } elsif (ref $node eq 'ARRAY') {
        nullable($_) for @$node;
    }
    return $node;
}

# A path template's matcher: a regex for it with or without its final
# slash (both are served alike), integer parameters matching only digits
# (the route table's {id:int}), and a rank that tries literal segments
# before parameters (/api/users/me/ before /api/users/{username}/).
sub path_matcher {
    my ($self, $template) = @_;
    my $item = $self->{doc}{paths}{$template};
    my %int;
    for my $op ($item, grep { ref eq 'HASH' } values %$item) {
        for my $p (map { $self->deref($_) } @{ $op->{parameters} // [] }) {
            $int{ $p->{name} } = 1
                if $p->{in} eq 'path' && (($self->deref($p->{schema}) // {})->{type} // '') eq 'integer';
        }
    }
    my (@re, $rank);
    for my $seg (grep { length } split m{/}, $template) {
        if ($seg =~ /^\{(\w+)\}$/) {
            push @re, $int{$1} ? '\d+' : '[^/]+';
            $rank .= 'b';
        } else {
            # a document's paths are URLs: compared decoded, as nginx
            # passes them on (the legacy /api/favorites/recently%E2%86%92added/)
            (my $bytes = $seg) =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
            push @re, quotemeta $bytes;
            $rank .= 'a';
        }
    }
    my $re = '^/' . join('/', @re) . '/?$';
    return { template => $template, re => qr/$re/, rank => $rank . 'z' };
}

# A '#/...' reference followed to its target, as often as it takes.
sub deref {
    my ($self, $node) = @_;
    while (ref $node eq 'HASH' && defined $node->{'$ref'}) {
        my $ref = $node->{'$ref'};
        die "docs/openapi.yaml: only local references are followed ($ref)\n" unless $ref =~ s{^#/}{};
        $node = $self->{doc};
        for my $key (split m{/}, $ref) {
            $key =~ s/~1/\//g;
            $key =~ s/~0/~/g;
            $node = $node->{$key} // die "docs/openapi.yaml: no $node->{'$ref'}\n";
        }
    }
    return $node;
}

sub template_of {
    my ($self, $path) = @_;
    for my $p (@{ $self->{paths} }) {
        return $p->{template} if $path =~ $p->{re};
    }
    return undef;
}

# What the document says of METHOD TEMPLATE answering STATUS: the response
# object, or undef when it does not say.  Looked up once.
sub response_of {
    my ($self, $method, $template, $status) = @_;
    my $key = "$method $template $status";
    return $self->{cache}{$key} if exists $self->{cache}{$key};
    my $op = $self->{doc}{paths}{$template}{ lc $method };
    my $res = $op && ($op->{responses}{$status} // $op->{responses}{ substr($status, 0, 1) . 'XX' });
    return $self->{cache}{$key} = $res && $self->deref($res);
}

# The documented statuses of METHOD TEMPLATE, for messages.
sub statuses_of {
    my ($self, $method, $template) = @_;
    my $op = $self->{doc}{paths}{$template}{ lc $method } or return ();
    return sort keys %{ $op->{responses} };
}

sub methods_of {
    my ($self, $template) = @_;
    return sort map { uc } grep { /^(get|put|post|patch|delete)$/ } keys %{ $self->{doc}{paths}{$template} };
}

# Statuses nginx answers itself on any path, before a route is known or
# when the pool cannot answer: a malformed request (400), a slow one (408),
# a body, URL or headers too large (413, 414, 431), what it does not
# implement (501, 505), and a pool that failed (500, 502, 504).  The
# document says so once, in its description; each need only be a problem.
my %NGINX_ANY_PATH = map { $_ => 1 } qw(400 408 413 414 431 500 501 502 504 505);

# check(METHOD, PATH, RES, via => 'nginx' | 'fastcgi'): how RES (status,
# headers with lower-case names, content) was checked, and what in it
# contradicts the document:
#   { kind => 'body' | 'type' | 'skip', reason => ..., problems => [...] }
sub check {
    my ($self, $method, $path, $res, %opt) = @_;
    my $status = $res->{status} // 0;
    $method = uc $method;
    $path =~ s/[?#].*//s;
    $path =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    my $r = { kind => 'body', problems => [] };
    my $problem = sub { push @{ $r->{problems} }, @_ };

    # HTTP::Tiny's own errors (599: the connection failed, say).
    return { kind => 'skip', reason => 'no HTTP answer', problems => [] } if $status == 599;

    my $h = $res->{headers} // {};
    my $body = $res->{content} // '';
    # what the harness decoded already (a copy: checking may change how
    # its numbers serialise)
    my $data = ref $res->{json} ? dclone($res->{json}) : undef;
    if (($h->{'content-encoding'} // '') eq 'gzip') {
        $data = undef;
        my $plain;
        IO::Uncompress::Gunzip::gunzip(\$body => \$plain)
            or return { %$r, problems => ["gzip: $IO::Uncompress::Gunzip::GunzipError"] };
        $body = $plain;
    }
    $body = '' if $method eq 'HEAD';
    # glibc prints a NULL %s argument as "(null)", which no sanitizer
    # reports: an answer saying it printed a pointer that was not there
    $problem->('the body has "(null)": a NULL printed with %s') if $body =~ /\(null\)/;
    my $via = $opt{via} // 'nginx';
    # nginx gives every answer its id; below it there is none to check
    $problem->('no X-Request-Id header') if $via eq 'nginx' && !defined $h->{'x-request-id'};

    my $template = $self->template_of($path);
    if (!defined $template) {
        # Not the API's: nginx's static files (/media/, the documentation
        # pages of /api/docs/, /api/redoc/ and /api/schema/); their errors,
        # and unknown paths under /api/, are problems like any other.
        if ($status < 400) {
            return { kind => 'skip', reason => 'not in the document (a static file)', problems => [] }
                if $path !~ m{^/api/} || $path =~ m{^/api/(docs|redoc|schema)(/|$)};
            $problem->("$path is in no path of the document, yet answered $status");
            return $r;
        }
        return $self->check_problem($r, $method, $h, $body, $data);
    }
    my $documented_method = $method eq 'HEAD' ? 'GET' : $method;
    my @methods = $self->methods_of($template);
    if (!grep { $_ eq $documented_method } @methods) {
        # A method the path does not take: a 405 naming those it does, or
        # one of nginx's own errors, refused before any route.
        $problem->("$method $template is not documented, yet answered $status")
            if $status != 405 && !($via eq 'nginx' && $NGINX_ANY_PATH{$status});
        $problem->('405 without an Allow header') if $status == 405 && !defined $h->{allow};
        return $self->check_problem($r, $method, $h, $body, $data);
    }
    my $doc = $self->response_of($documented_method, $template, $status);
    if (!$doc && $via eq 'nginx' && $NGINX_ANY_PATH{$status}) {
        return $self->check_problem($r, $method, $h, $body, $data);
    }
    if (!$doc) {
        $problem->("status $status is not documented for $documented_method $template (it documents "
                   . join(', ', $self->statuses_of($documented_method, $template)) . ')');
        return $status >= 400 ? $self->check_problem($r, $method, $h, $body, $data) : $r;
    }
    $self->check_headers($r, $doc, $h, $via);
    my $content = $doc->{content};
    if (!$content || !%$content) {
        $r->{kind} = 'type';
        $problem->('documented without a body, yet has ' . length($body) . ' bytes') if length $body;
        return $r;
    }
    return { %$r, kind => 'type' } if $method eq 'HEAD';
    my ($type) = ($h->{'content-type'} // '') =~ m{^\s*([^;\s]+)};
    $type = lc($type // '');
    my $media = $content->{$type} // do {
        my ($major) = $type =~ m{^([^/]+)/};
        defined $major ? $content->{"$major/*"} : undef;
    };
    if (!$media) {
        $problem->('Content-Type ' . ($h->{'content-type'} // '(none)') . ' is not documented (it documents '
                   . join(', ', sort keys %$content) . ')');
        return $r;
    }
    if ($type !~ m{^application/(.+\+)?json$}) {
        $r->{kind} = 'type';    # text (/metrics), images: the type is all there is to check
        return $r;
    }
    $self->check_json($r, $media->{schema}, $body, $data);
    return $r;
}

# An error answer outside any operation's list (an unknown path, a method a
# path does not take, a status the operation does not document): still a
# problem+json, as every error is.
sub check_problem {
    my ($self, $r, $method, $h, $body, $data) = @_;
    my $type = $h->{'content-type'} // '(none)';
    if ($type !~ m{^application/problem\+json\b}) {
        push @{ $r->{problems} }, "Content-Type $type, not application/problem+json";
        return $r;
    }
    return { %$r, kind => 'type' } if $method eq 'HEAD';
    $self->check_json($r, { '$ref' => '#/components/schemas/Problem' }, $body, $data);
    return $r;
}

# BODY (DATA, when decoded already) against SCHEMA.
sub check_json {
    my ($self, $r, $schema, $body, $data) = @_;
    $data //= eval { JSON::PP->new->utf8->allow_nonref->decode($body // '') };
    if (!defined $data && $@) {
        push @{ $r->{problems} }, "the body is not JSON: $@";
        return;
    }
    return unless $schema;
    $schema = $self->deref($schema);
    push @{ $r->{problems} }, map { "$_" } $self->{jv}->validate($data, $schema);
    $self->undeclared($schema, $data, '', $r->{problems});
}

# Headers the response documents: present ones must match their schema,
# required ones must be present (but X-Request-Id, which nginx adds, below
# it).
sub check_headers {
    my ($self, $r, $doc, $h, $via) = @_;
    for my $name (sort keys %{ $doc->{headers} // {} }) {
        my $hd = $self->deref($doc->{headers}{$name});
        my $value = $h->{ lc $name };
        next if !defined $value && $via ne 'nginx' && $name eq 'X-Request-Id';
        if (!defined $value) {
            push @{ $r->{problems} }, "no $name header" if $hd->{required};
            next;
        }
        $value = join ', ', @$value if ref $value eq 'ARRAY';    # repeated: one list (RFC 9110)
        my $schema = $self->deref($hd->{schema}) or next;
        $value = 0 + $value if ($schema->{type} // '') eq 'integer' && $value =~ /^-?\d+$/;
        push @{ $r->{problems} }, map { "header $name: $_" } $self->{jv}->validate($value, $schema);
    }
}

# Every schema SCHEMA stands for: itself and its allOf, anyOf and oneOf
# branches, references followed.
sub branches {
    my ($self, $schema) = @_;
    $schema = $self->deref($schema);
    return () unless ref $schema eq 'HASH';
    return ($schema, map { $self->branches($_) } map { @{ $schema->{$_} // [] } } qw(allOf anyOf oneOf));
}

# The members of DATA the schema names nowhere (in none of its branches),
# pushed to OUT as "/pointer: ...": what a client reading the document
# cannot know of.  Objects that name no property at all, or allow more
# (additionalProperties), are left alone.
sub undeclared {
    my ($self, $schema, $data, $at, $out) = @_;
    return unless ref $data;
    my @b = $self->branches($schema);
    if (ref $data eq 'ARRAY') {
        my @items = grep { defined } map { $_->{items} } @b;
        return unless @items;
        $self->undeclared({ anyOf => \@items }, $data->[$_], "$at/$_", $out) for 0 .. $#$data;
        return;
    }
    return unless ref $data eq 'HASH';
    my (%props, @more);
    for my $s (@b) {
        push @{ $props{$_} }, $s->{properties}{$_} for keys %{ $s->{properties} // {} };
        my $ap = $s->{additionalProperties};
        push @more, $ap if defined $ap && (ref $ap eq 'HASH' || ($ap && !ref $ap) || (ref $ap && $$ap));
    }
    return if !%props && !@more;
    for my $k (sort keys %$data) {
        if ($props{$k}) {
            $self->undeclared({ anyOf => $props{$k} }, $data->{$k}, "$at/$k", $out);
        } elsif (my @s = grep { ref eq 'HASH' } @more) {
            $self->undeclared({ anyOf => \@s }, $data->{$k}, "$at/$k", $out);
        } elsif (!@more) {
            push @$out, "$at/$k: a member the schema does not name";
        }
    }
}

# enforce(METHOD, PATH, RES, via => ..., unchecked => REASON): checks RES
# and fails the current test on a mismatch (in a forked child: spools the
# failure for collect()).  unchecked => REASON skips the check, for an
# answer a test provokes that no client can meet (say it why).
sub enforce {
    my ($method, $path, $res, %opt) = @_;
    collect();
    my $c = shared();
    my $t = time;
    my $r = $opt{unchecked} ? { kind => 'skip', reason => $opt{unchecked}, problems => [] }
                            : $c->check($method, $path, $res, %opt);
    $SPENT += time - $t;
    my @failure;
    if (@{ $r->{problems} }) {
        my $body = $res->{content} // '';
        $body = substr($body, 0, 400) . '...' if length $body > 400;
        @failure = ("$method $path answered $res->{status} as docs/openapi.yaml says",
                    join "\n", (map { "  $_" } @{ $r->{problems} }), "  body: $body");
    }
    if ($$ == $OWNER) {
        counted($r->{kind}, $r->{reason}, @failure);
        return;
    }
    open my $fh, '>>', $SPOOL->filename or die "$SPOOL: $!\n";
    flock($fh, LOCK_EX);
    print {$fh} JSON::PP->new->utf8->encode([ $r->{kind}, $r->{reason}, @failure ]), "\n";
    close $fh;
}

sub counted {
    my ($kind, $reason, @failure) = @_;
    $COUNT{$kind}++;
    $SKIPPED{$reason}++ if $kind eq 'skip';
    report(@failure) if @failure;
}

# A failed test at the test file's line (the first caller outside the
# harness).
sub report {
    my ($name, $diag) = @_;
    my $i = 0;
    $i++ while ((caller($i))[0] // '') =~ /^Marquee::/;
    local $Test::Builder::Level = $Test::Builder::Level + $i + 1;
    Test::More::fail($name);
    Test::More::diag($diag);
}

# Counts, and reports the failures of, what forked children checked.
sub collect {
    return unless $$ == $OWNER && -s $SPOOL->filename;
    open my $fh, '+<', $SPOOL->filename or die "$SPOOL: $!\n";
    flock($fh, LOCK_EX);
    my @lines = <$fh>;
    truncate $fh, 0;
    close $fh;
    counted(@{ JSON::PP->new->utf8->decode($_) }) for @lines;
}

# How many answers were checked, for the test's log.
END {
    if ($$ == $OWNER && %COUNT) {
        collect();
        Test::More::note(sprintf 'docs/openapi.yaml: %d answers validated (body), %d by status and type, '
                                 . '%d skipped%s, in %.2fs', $COUNT{body} // 0, $COUNT{type} // 0,
                                 $COUNT{skip} // 0,
                                 join('', map { " ($SKIPPED{$_}: $_)" } sort keys %SKIPPED), $SPENT);
    }
}

1;
