package Marquee::FastCGI;

# A minimal FastCGI client, to talk to the pool directly, below nginx:
# several requests on one kept connection, half-sent requests, and other
# things nginx would never do.
#
#   my $c = Marquee::FastCGI->connect("$dir/run/fcgi.sock");
#   my $r = $c->request(GET => '/api/genres/', keep => 1);
#   # { status => 200, headers => {...}, body => '...' }, or undef on EOF

use strict;
use warnings;
use IO::Socket::INET;
use IO::Socket::UNIX;
use Marquee::OpenAPI;

use constant { BEGIN_REQUEST => 1, END_REQUEST => 3, PARAMS => 4, FCGI_STDIN => 5, FCGI_STDOUT => 6,
               RESPONDER => 1, KEEP_CONN => 1 };

# PATH: a unix socket, or HOST:PORT (a pool listening on TCP).
sub connect {
    my ($class, $path) = @_;
    my $sock = $path =~ /^([0-9.]+):([0-9]+)$/
        ? IO::Socket::INET->new(PeerAddr => $1, PeerPort => $2)
        : IO::Socket::UNIX->new(Peer => $path);
    $sock or die "connect $path: $!\n";
    return bless { sock => $sock, id => 0 }, $class;
}

sub record {
    my ($type, $id, $content) = @_;
    my $pad = (8 - length($content) % 8) % 8;
    return pack('CCnnCC', 1, $type, $id, length $content, $pad, 0) . $content . ("\0" x $pad);
}

sub pair {
    my ($k, $v) = @_;
    my $len = sub { my $n = shift; $n < 128 ? pack('C', $n) : pack('N', $n | 0x80000000) };
    return $len->(length $k) . $len->(length $v) . $k . $v;
}

# The bytes of one whole request (for send_raw and partial sends).
sub encode {
    my ($self, $method, $uri, %opt) = @_;
    my $id = ++$self->{id};
    my $body = $opt{body} // '';
    my ($path, $query) = split /\?/, $uri, 2;
    my %env = (REQUEST_METHOD => $method, REQUEST_URI => $uri, DOCUMENT_URI => $path,
               QUERY_STRING => $query // '', CONTENT_LENGTH => length $body,
               CONTENT_TYPE => $opt{type} // 'application/json', SERVER_PROTOCOL => 'HTTP/1.1',
               HTTP_HOST => 'fcgi.test', %{ $opt{env} // {} });
    my $out = record(BEGIN_REQUEST, $id, pack('nCx5', RESPONDER, $opt{keep} ? KEEP_CONN : 0));
    $out .= record(PARAMS, $id, join '', map { pair($_, $env{$_}) } sort keys %env);
    $out .= record(PARAMS, $id, '');
    for (my $off = 0; $off < length $body; $off += 32768) {
        $out .= record(FCGI_STDIN, $id, substr($body, $off, 32768));
    }
    $out .= record(FCGI_STDIN, $id, '');
    return $out;
}

sub send_raw {
    my ($self, $bytes) = @_;
    local $SIG{PIPE} = 'IGNORE';
    return defined syswrite($self->{sock}, $bytes);
}

sub read_exact {
    my ($self, $n) = @_;
    my $buf = '';
    while (length $buf < $n) {
        my $got = sysread($self->{sock}, $buf, $n - length $buf, length $buf);
        return undef unless $got;
    }
    return $buf;
}

# Reads one response; undef when the pool closed the connection first.
sub response {
    my ($self) = @_;
    my $stdout = '';
    while (1) {
        my $head = $self->read_exact(8) // return undef;
        my (undef, $type, undef, $len, $pad) = unpack('CCnnCC', $head);
        my $content = $len ? ($self->read_exact($len) // return undef) : '';
        $self->read_exact($pad) // return undef if $pad;
        $stdout .= $content if $type == FCGI_STDOUT;
        last if $type == END_REQUEST;
    }
    my ($head, $body) = split /\r\n\r\n/, $stdout, 2;
    my %h = map { my ($k, $v) = split /:\s*/, $_, 2; (lc $k => $v) } split /\r\n/, $head;
    my ($status) = ($h{status} // '') =~ /^(\d+)/;
    return { status => $status, headers => \%h, body => $body };
}

# One request and its response, which is checked against
# docs/openapi.yaml as the stack's requests are (but for X-Request-Id,
# which nginx adds).
sub request {
    my ($self, $method, $uri, %opt) = @_;
    $self->send_raw($self->encode($method, $uri, %opt)) or return undef;
    my $res = $self->response // return undef;
    Marquee::OpenAPI::enforce($method, $uri, { %$res, content => $res->{body} }, via => 'fastcgi');
    return $res;
}

1;
