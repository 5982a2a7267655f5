package Marquee::Wrk;

# wrk at one connection, for the benches that time a request alone
# (bench/analytics, bench/growth):
#
#   my $r = Marquee::Wrk::alone($url, duration => 4, token => $t, body => $json);
#   # { rps, p50, p99 (ms; -1 when wrk said none), bad (non-2xx answers) }
#
# body: a POST of that JSON (bench/post.lua); headers: more of them.

use strict;
use warnings;
use File::Basename qw(dirname);
use File::Spec;

my $BENCH = File::Spec->catdir(dirname(__FILE__), '..', '..', '..', 'bench');

sub alone {
    my ($url, %o) = @_;
    my @h = (($o{token} ? "Authorization: Bearer $o{token}" : ()), @{ $o{headers} // [] });
    my $h = join ' ', map { "-H '$_'" } @h;
    my $script = $o{body} ? "-s $BENCH/post.lua" : '';
    local $ENV{BENCH_BODY} = $o{body} // '';
    my $d = $o{duration} // 4;
    my $out = `wrk -t1 -c1 -d${d}s --latency $h $script '$url' 2>&1`;
    my %r = (out => $out);
    ($r{rps}) = $out =~ /Requests\/sec:\s+([\d.]+)/;
    $r{rps} //= 0;
    for my $q (50, 99) {
        my ($v, $unit) = $out =~ /^\s+$q%\s+([\d.]+)(us|ms|s)\b/m;
        $r{"p$q"} = defined $v ? $v * { us => 0.001, ms => 1, s => 1000 }->{$unit} : -1;
    }
    ($r{bad}) = $out =~ /Non-2xx or 3xx responses: (\d+)/;
    $r{bad} //= 0;
    return \%r;
}

1;
