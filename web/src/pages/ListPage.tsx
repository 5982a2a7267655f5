import { useParams } from 'react-router-dom';
import type { Movie, Page } from '../api';
import { MovieGrid } from '../components/MovieCard';
import { ErrorNote, Loading } from '../components/Status';
import { useApi } from '../useApi';

interface ListDetail {
  id: number;
  name: string;
  description: string;
  owner: string;
  is_public: boolean;
  items: Page<{ position: number; note: string; movie: Movie }>;
}

export default function ListPage() {
  const { id } = useParams();
  const r = useApi<ListDetail>(`/api/lists/${id}/?page_size=100`);
  if (r.error) return <ErrorNote error={r.error} />;
  if (!r.data) return <Loading />;
  const l = r.data;
  return (
    <div>
      <h1>{l.name}</h1>
      <p className="hint">
        A {l.is_public ? 'public' : 'private'} list by {l.owner} · {l.items.count} {l.items.count === 1 ? 'movie' : 'movies'}
      </p>
      {l.description && <p>{l.description}</p>}
      {l.items.results.length === 0 ? <p>No movies on it yet: add some from a movie's page.</p> : <MovieGrid movies={l.items.results.map((i) => i.movie)} />}
    </div>
  );
}
