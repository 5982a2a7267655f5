import { Link } from 'react-router-dom';
import type { Movie, Page } from '../api';
import { Backdrop } from '../components/Backdrop';
import { MovieRow } from '../components/MovieCard';
import { ErrorNote, Loading } from '../components/Status';
import { useSession } from '../session';
import { useApi } from '../useApi';

function reasonNote(m: Movie): string | undefined {
  const r = m.reason;
  if (!r) return undefined;
  if (r.kind === 'because_you_liked' && r.movie) return `Because you liked ${r.movie.title}`;
  return { similar_users: 'Liked by people like you', trending: 'Trending', new: 'New', popular: 'Popular' }[r.kind];
}

export function Home() {
  const { user, ready } = useSession();
  const trending = useApi<Page<Movie>>('/api/movies/trending/?page_size=20');
  const recommended = useApi<Page<Movie>>(ready ? "/api/movies/recommended/?page_size=20" : null, user?.id);
  const recent = useApi<Page<Movie>>('/api/movies/recent/?page_size=20');
  const hero = trending.data?.results.find((m) => m.backdrop_url) ?? trending.data?.results[0];

  return (
    <div className="home">
      <h1 className="sr-only">Marquee</h1>
      {hero && (
        <section className="hero" aria-label="Featured">
          {hero.backdrop_url && <Backdrop className="hero-bg" src={hero.backdrop_sizes?.w1280 || hero.backdrop_url} />}
          <div className="hero-text">
            <p className="eyebrow">Trending this week</p>
            <h2>{hero.title}</h2>
            <p className="hero-overview">{hero.overview}</p>
            <Link className="button" to={`/movies/${hero.id}`}>
              See {hero.title}
            </Link>
          </div>
        </section>
      )}
      {trending.loading && <Loading />}
      <ErrorNote error={trending.error} />
      <MovieRow id="row-trending" title="Trending" movies={trending.data?.results ?? []} />
      <MovieRow
        id="row-recommended"
        title={user ? 'Recommended for you' : 'Popular'}
        movies={recommended.data?.results ?? []}
        notes={user ? reasonNote : undefined}
      />
      <MovieRow id="row-recent" title="Recently added" movies={recent.data?.results ?? []} />
    </div>
  );
}
