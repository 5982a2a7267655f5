import { useSearchParams } from 'react-router-dom';
import type { Movie, Page } from '../api';
import { MovieGrid } from '../components/MovieCard';
import { Pager } from '../components/Pager';
import { ErrorNote, Loading } from '../components/Status';
import { useApi } from '../useApi';

export default function Search() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Number(params.get('page') || 1);
  const res = useApi<Page<Movie>>(q ? `/api/movies/?q=${encodeURIComponent(q)}&page_size=24${page > 1 ? `&page=${page}` : ''}` : null);
  return (
    <div>
      <h1>{q ? `Search: ${q}` : 'Search'}</h1>
      {!q && <p>Type in the search box above: titles, overviews and keywords are searched.</p>}
      {res.data?.search === 'corrected' && (
        <p className="correction" role="status">
          No matches for <em>{q}</em>; showing results for <strong>{res.data.corrected_q}</strong>.
        </p>
      )}
      <ErrorNote error={res.error} />
      {res.loading && <Loading />}
      {res.data && res.data.results.length === 0 && <p>No movies match “{q}”.</p>}
      {res.data && res.data.results.length > 0 && (
        <>
          <MovieGrid movies={res.data.results} />
          <Pager page={page} hasNext={!!res.data.next} onPage={(p) => setParams({ q, page: String(p) })} count={res.data.count} />
        </>
      )}
    </div>
  );
}
