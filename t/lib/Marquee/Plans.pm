package Marquee::Plans;

# The plans PostgreSQL chose for the statements the service ran, from its
# log, where auto_explain writes them (a stack started with
# pg_options => Marquee::Plans::AUTO_EXPLAIN).  Used by
# t/api/catalog_scale.t and bench/explain: the real statements with the
# real parameters, not copies of the SQL.
#
#   my $mark = Marquee::Plans::mark($s);
#   $s->get('/api/movies/?year=1999');
#   my @plans = Marquee::Plans::since($s, $mark);   # [{ query, ms, nodes => [...] }]

use strict;
use warnings;
use JSON::PP;

# log_analyze makes the logged times real; nested statements (triggers)
# are left out.
sub AUTO_EXPLAIN {
    my (%o) = @_;
    return '-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 '
         . '-c auto_explain.log_format=json -c auto_explain.log_level=LOG '
         . ($o{analyze} ? '-c auto_explain.log_analyze=on -c auto_explain.log_buffers=on '
                          . '-c auto_explain.log_timing=on ' : '')
         . ($o{no_seqscan} ? '-c enable_seqscan=off ' : '');
}

sub log_path { $_[0]->dir . '/log/postgres.log' }

sub mark { -s log_path($_[0]) // 0 }

# Every node of a plan tree, flattened: { type, relation, index }.
sub nodes {
    my ($plan, $out) = @_;
    $out //= [];
    push @$out, { type => $plan->{'Node Type'}, relation => $plan->{'Relation Name'},
                  index => $plan->{'Index Name'} };
    nodes($_, $out) for @{ $plan->{Plans} // [] };
    return $out;
}

sub since {
    my ($s, $mark) = @_;
    open my $fh, '<', log_path($s) or return;
    seek $fh, $mark, 0;
    local $/;
    my $text = <$fh> // '';
    my @plans;
    # "LOG:  duration: 0.123 ms  plan:\n\t{ ...json, each line tab-indented... }"
    while ($text =~ /duration: ([\d.]+) ms\s+plan:\n((?:\t[^\n]*\n)+)/g) {
        my ($ms, $json) = ($1, $2);
        $json =~ s/^\t//mg;
        my $p = eval { JSON::PP->new->decode($json) } or next;
        # an EXPLAIN of its own (the service asking for an estimate) is
        # logged too, but its plan never runs
        next if ($p->{'Query Text'} // '') =~ /^\s*EXPLAIN\b/i;
        push @plans, { query => $p->{'Query Text'}, ms => $ms + 0, plan => $p->{Plan},
                       nodes => nodes($p->{Plan}) };
    }
    return @plans;
}

# The plans of statements that read the movies table.
sub of_movies { grep { ($_->{query} // '') =~ /\bmovies m\b/ } @_ }

# How each relation was read: "Index Scan movies_popularity", ...
sub access_paths {
    my ($plan) = @_;
    return map { join ' ', grep { defined } $_->{type}, $_->{index} // $_->{relation} }
        grep { $_->{relation} || $_->{index} } @{ $plan->{nodes} };
}

# True when the plan reads movies with a full scan.
sub seq_scans_movies {
    my ($plan) = @_;
    return scalar grep { $_->{type} eq 'Seq Scan' && ($_->{relation} // '') eq 'movies' }
        @{ $plan->{nodes} };
}

# The list URLs whose plans the scale checks look at: every filter, every
# ordering, search, combinations, deep pages.
our @LIST_PATHS = (
    '/api/movies/',
    (map { "/api/movies/?ordering=$_" }
        qw(title -title release_date -release_date popularity rating -rating created_at
           -created_at)),
    '/api/movies/?title=harbor', '/api/movies/?title=z%C3%BCrich', '/api/movies/?title=am',
    '/api/movies/?tmdb_id=653', '/api/movies/?imdb_id=tt0013442',
    '/api/movies/?year=1999', '/api/movies/?year=1990-1999', '/api/movies/?year=1990,2005',
    '/api/movies/?genre=western', '/api/movies/?genre=drama', '/api/movies/?genre=horror,western',
    '/api/movies/?language=fr', '/api/movies/?rating_min=4.5', '/api/movies/?rating_max=1.5',
    '/api/movies/?runtime_min=200', '/api/movies/?runtime_max=30',
    '/api/movies/?q=vampire', '/api/movies/?q=harbor%20dmitri', '/api/movies/?q=love',
    '/api/movies/?q=nosferatoo',
    '/api/movies/?genre=drama&year=1990-1999&language=en',
    '/api/movies/?genre=western&ordering=-rating', '/api/movies/?title=harbor&ordering=title',
    '/api/movies/?q=harbor&genre=drama', '/api/movies/?language=ja&runtime_min=120&rating_min=3',
    '/api/movies/?available_on=8,337', '/api/movies/?available_on=8&genre=drama&region=FR',
    '/api/movies/?page=150', '/api/movies/recent/', '/api/genres/7/movies/',
    '/api/movies/1/similar/',
);

# Each ordering of the movie lists as SQL over movies (the order the API
# promises: ties broken by id the same way).
our %ORDER_SQL = (
    title => 'title, id', '-title' => 'title DESC, id DESC',
    release_date => 'release_date, id', '-release_date' => 'release_date DESC NULLS LAST, id DESC',
    popularity => 'popularity, id', '-popularity' => 'popularity DESC, id DESC',
    rating => 'rating, id', '-rating' => 'rating DESC NULLS LAST, id DESC',
    created_at => 'created_at, id', '-created_at' => 'created_at DESC, id DESC',
    id => 'id', '-id' => 'id DESC',
);

1;
