import { useState } from 'react';
import type { Movie } from '../api';

/** A movie's poster; a neutral placeholder with its title when it has none or it fails to load. */
export function Poster({ movie, size = 'w342', eager = false }: { movie: Movie; size?: string; eager?: boolean }) {
  const src = movie.poster_sizes?.[size] || movie.poster_url;
  const [failed, setFailed] = useState<string | null>(null);
  if (!src || failed === src)
    return (
      <div className="poster placeholder" role="img" aria-label={`${movie.title} (no poster)`}>
        <span aria-hidden="true">{movie.title}</span>
      </div>
    );
  return (
    <img
      className="poster"
      src={src}
      alt={`Poster of ${movie.title}`}
      loading={eager ? 'eager' : 'lazy'}
      decoding="async"
      width={342}
      height={513}
      onError={() => setFailed(src)}
    />
  );
}
