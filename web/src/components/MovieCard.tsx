import { Link } from 'react-router-dom';
import type { Movie } from '../api';
import { Poster } from './Poster';

export function MovieCard({ movie, note, eager }: { movie: Movie; note?: string; eager?: boolean }) {
  return (
    <article className="card">
      <Link to={`/movies/${movie.id}`} className="card-link">
        <Poster movie={movie} eager={eager} />
        <h3 className="card-title">{movie.title}</h3>
      </Link>
      <p className="card-meta">
        {movie.year ?? '—'}
        {movie.rating !== null && (
          <span className="card-rating" aria-label={`rated ${movie.rating} of 5`}>
            ★ {movie.rating.toFixed(1)}
          </span>
        )}
      </p>
      {note && <p className="card-note">{note}</p>}
    </article>
  );
}

export function MovieGrid({ movies, notes }: { movies: Movie[]; notes?: (m: Movie) => string | undefined }) {
  return (
    <div className="grid">
      {movies.map((m, i) => (
        <MovieCard key={m.id} movie={m} note={notes?.(m)} eager={i < 6} />
      ))}
    </div>
  );
}

/** A titled horizontal row of movies (home page, similar movies). */
export function MovieRow({ title, movies, id, notes }: { title: string; movies: Movie[]; id: string; notes?: (m: Movie) => string | undefined }) {
  if (movies.length === 0) return null;
  return (
    <section className="row" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <div className="row-scroll" tabIndex={0} aria-label={title}>
        {movies.map((m, i) => (
          <MovieCard key={m.id} movie={m} note={notes?.(m)} eager={i < 4} />
        ))}
      </div>
    </section>
  );
}
