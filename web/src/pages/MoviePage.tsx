// A movie: poster, backdrop, the trailer (a click-to-load facade), share
// buttons, overview, the rating histogram,
// the caller's own rating (half stars), favorites / watchlist / list
// buttons, reviews, threaded comments, similar movies and "people also liked".
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, ApiError, type Movie, type MovieDetail, type Page } from '../api';
import { Backdrop } from '../components/Backdrop';
import { Comments } from '../components/Comments';
import { ShareButtons } from '../components/Share';
import { Trailer } from '../components/Trailer';
import { Histogram } from '../components/Histogram';
import { MovieRow } from '../components/MovieCard';
import { Poster } from '../components/Poster';
import { Stars } from '../components/Stars';
import { ErrorNote, Loading } from '../components/Status';
import { useSession } from '../session';
import { useApi } from '../useApi';

interface RatingSummary {
  average: number | null;
  count: number;
  histogram: Record<string, number>;
  user_rating: number | null;
}

interface Review {
  id: number;
  author: string;
  title: string;
  body: string;
  rating: number | null;
  likes_count: number;
  liked_by_me: boolean;
  created_at: string;
}

interface MovieList {
  id: number;
  name: string;
}

function Actions({ movie }: { movie: MovieDetail }) {
  const [favorite, setFavorite] = useState<boolean | null>(null);
  const [onWatchlist, setOnWatchlist] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const lists = useApi<Page<MovieList>>('/api/lists/?page_size=100');
  const [listId, setListId] = useState('');

  useEffect(() => {
    // Whether it is a favorite: the favorites filtered by its TMDb id.
    if (movie.tmdb_id === null) {
      setFavorite(false);
      return;
    }
    api<Page<{ movie: Movie }>>(`/api/favorites/?tmdb_id=${movie.tmdb_id}`)
      .then((p) => setFavorite(p.results.some((f) => f.movie.id === movie.id)))
      .catch(() => setFavorite(false));
  }, [movie.id, movie.tmdb_id]);

  const run = async (f: () => Promise<void>) => {
    setError(null);
    setMessage('');
    try {
      await f();
    } catch (e) {
      setError(e as Error);
    }
  };
  const toggleFavorite = () =>
    run(async () => {
      if (favorite) {
        await api(`/api/users/favorites/${movie.id}/`, { method: 'DELETE' });
        setFavorite(false);
        setMessage('Removed from your favorites.');
      } else {
        await api('/api/users/favorites/', { json: { movie: movie.id } });
        setFavorite(true);
        setMessage('Added to your favorites.');
      }
    });
  const addWatchlist = () =>
    run(async () => {
      try {
        await api('/api/watchlist/', { json: { movie: movie.id } });
        setMessage('Added to your watchlist.');
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 409)) throw e;
        setMessage('It is already on your watchlist.');
      }
      setOnWatchlist(true);
    });
  const addToList = (e: FormEvent) => {
    e.preventDefault();
    if (!listId) return;
    run(async () => {
      try {
        await api(`/api/lists/${listId}/items/`, { json: { movie: movie.id } });
        setMessage('Added to the list.');
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 409)) throw err;
        setMessage('It is already on that list.');
      }
    });
  };

  return (
    <div className="actions">
      <div className="action-buttons">
        <button type="button" onClick={toggleFavorite} disabled={favorite === null} aria-pressed={!!favorite}>
          {favorite ? '♥ In favorites' : '♡ Add to favorites'}
        </button>
        <button type="button" className="secondary" onClick={addWatchlist} disabled={onWatchlist}>
          {onWatchlist ? '✓ On your watchlist' : '+ Watchlist'}
        </button>
      </div>
      {lists.data && lists.data.results.length > 0 ? (
        <form className="inline-form" onSubmit={addToList}>
          <label>
            <span className="sr-only">List</span>
            <select value={listId} onChange={(e) => setListId(e.target.value)}>
              <option value="">Choose a list…</option>
              {lists.data.results.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="secondary" disabled={!listId}>
            Add to list
          </button>
        </form>
      ) : (
        <p className="hint">
          <Link to="/me">Make a list</Link> to keep movies in it.
        </p>
      )}
      <p className="hint" role="status">
        {message}
      </p>
      <ErrorNote error={error} />
    </div>
  );
}

function Reviews({ movieId, signedIn }: { movieId: number; signedIn: boolean }) {
  const reviews = useApi<Page<Review>>(`/api/movies/${movieId}/reviews/?page_size=20`);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api(`/api/movies/${movieId}/reviews/`, { json: { title, body } });
      setTitle('');
      setBody('');
      reviews.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const like = async (r: Review) => {
    await api(`/api/reviews/${r.id}/like/`, { method: r.liked_by_me ? 'DELETE' : 'POST' }).catch(setError);
    reviews.reload();
  };
  return (
    <section className="reviews" aria-labelledby="reviews-h">
      <h2 id="reviews-h">Reviews</h2>
      {reviews.data?.results.length === 0 && <p>No reviews yet.</p>}
      {reviews.data?.results.map((r) => (
        <article key={r.id} className="review">
          <header>
            <Link to={`/users/${r.author}`}>{r.author}</Link>
            {r.rating !== null && <span className="review-rating"> · ★ {r.rating}</span>}
            <time dateTime={r.created_at}> · {new Date(r.created_at).toLocaleDateString()}</time>
          </header>
          {r.title && <h3>{r.title}</h3>}
          <p>{r.body}</p>
          {signedIn && (
            <button type="button" className="linkish" onClick={() => like(r)} aria-pressed={r.liked_by_me}>
              {r.liked_by_me ? '♥' : '♡'} {r.likes_count} {r.likes_count === 1 ? 'like' : 'likes'}
            </button>
          )}
        </article>
      ))}
      {signedIn ? (
        <form className="review-form" onSubmit={submit}>
          <h3>Write a review</h3>
          <label>
            Title
            <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
          </label>
          <label>
            Review
            <textarea value={body} onChange={(e) => setBody(e.target.value)} required maxLength={10000} rows={4} />
          </label>
          <ErrorNote error={error} />
          <button type="submit">Post review</button>
        </form>
      ) : (
        <p>
          <Link to="/signin">Sign in</Link> to rate and review.
        </p>
      )}
    </section>
  );
}

export default function MoviePage() {
  const { id } = useParams();
  const { user } = useSession();
  const movie = useApi<MovieDetail>(`/api/movies/${id}/`);
  const ratings = useApi<RatingSummary>(`/api/movies/${id}/ratings/`, user?.id);
  const similar = useApi<Page<Movie>>(`/api/movies/${id}/similar/?page_size=12`);
  const alsoLiked = useApi<Page<Movie>>(`/api/movies/${id}/recommendations/?page_size=12`);
  const [rateError, setRateError] = useState<Error | null>(null);

  useEffect(() => {
    if (movie.data) document.title = `${movie.data.title} · Marquee`;
    return () => {
      document.title = 'Marquee';
    };
  }, [movie.data]);

  if (movie.error) return <ErrorNote error={movie.error} />;
  if (!movie.data) return <Loading />;
  const m = movie.data;
  const trailer = m.media.find((x) => x.kind === 'trailer' && x.site === 'YouTube' && x.video_key);

  const rate = async (v: number) => {
    setRateError(null);
    try {
      await api(`/api/movies/${m.id}/rating/`, { method: 'PUT', json: { rating: v } });
      ratings.reload();
    } catch (e) {
      setRateError(e as Error);
    }
  };

  return (
    <div className="movie">
      {m.backdrop_url && (
        <div className="backdrop" aria-hidden="true">
          <Backdrop src={m.backdrop_sizes?.w1280 || m.backdrop_url} />
        </div>
      )}
      <div className="movie-head">
        <Poster movie={m} size="w500" eager />
        <div className="movie-info">
          <h1>
            {m.title} {m.year && <span className="year">({m.year})</span>}
          </h1>
          {m.tagline && <p className="tagline">{m.tagline}</p>}
          <p className="facts">
            {m.genres.map((g) => g.name).join(', ')}
            {m.runtime && ` · ${Math.floor(m.runtime / 60)}h ${m.runtime % 60}m`}
            {m.original_language && ` · ${m.original_language.toUpperCase()}`}
          </p>
          <p className="overview">{m.overview || 'No overview yet.'}</p>
          <div className="rating-block">
            <div>
              <p className="big-rating">
                {ratings.data?.average != null ? `★ ${ratings.data.average.toFixed(2)}` : 'Not rated yet'}
                <span className="hint"> {ratings.data ? `${ratings.data.count} ${ratings.data.count === 1 ? 'rating' : 'ratings'}` : ''}</span>
              </p>
              {user ? (
                <Stars value={ratings.data?.user_rating ?? null} onRate={rate} />
              ) : (
                <p className="hint">
                  <Link to="/signin">Sign in</Link> to rate it.
                </p>
              )}
              <ErrorNote error={rateError} />
            </div>
            {ratings.data && ratings.data.count > 0 && <Histogram histogram={ratings.data.histogram} />}
          </div>
          {user && <Actions movie={m} />}
          {user && <ShareButtons kind="movie" id={m.id} what="this movie" />}
        </div>
      </div>
      {trailer?.video_key && <Trailer videoKey={trailer.video_key} title={m.title} />}
      <MovieRow id="row-similar" title="Similar movies" movies={similar.data?.results ?? []} />
      <MovieRow id="row-also" title="People who liked this also liked" movies={alsoLiked.data?.results ?? []} />
      <Reviews movieId={m.id} signedIn={!!user} />
      <Comments movieId={m.id} />
    </div>
  );
}
