import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, pathOf } from '../api';
import { RequireUser } from '../components/RequireUser';
import { ErrorNote, Loading } from '../components/Status';
import { useApi } from '../useApi';

interface FeedEvent {
  id: number;
  verb: 'rated' | 'reviewed' | 'favorited' | 'list_created' | 'list_item_added' | 'followed';
  created_at: string;
  actor: { username: string; display_name: string };
  movie: { id: number; title: string; year: number | null; poster_url: string | null } | null;
  rating: number | null;
  review: { id: number; title: string; excerpt: string } | null;
  list: { id: number; name: string } | null;
  user: { username: string } | null;
}

interface FeedPage {
  next: string | null;
  results: FeedEvent[];
}

function What({ e }: { e: FeedEvent }) {
  const movie = e.movie && <Link to={`/movies/${e.movie.id}`}>{e.movie.title}</Link>;
  const list = e.list && <Link to={`/lists/${e.list.id}`}>{e.list.name}</Link>;
  switch (e.verb) {
    case 'rated':
      return <>rated {movie} ★ {e.rating}</>;
    case 'reviewed':
      return <>reviewed {movie}{e.review && <q>{e.review.excerpt}</q>}</>;
    case 'favorited':
      return <>added {movie} to favorites</>;
    case 'list_created':
      return <>made the list {list}</>;
    case 'list_item_added':
      return <>added {movie} to {list}</>;
    case 'followed':
      return <>followed {e.user && <Link to={`/users/${e.user.username}`}>{e.user.username}</Link>}</>;
  }
}

function FeedBody() {
  const first = useApi<FeedPage>('/api/feed/?page_size=30');
  const [more, setMore] = useState<FeedEvent[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<Error | null>(null);
  if (first.error) return <ErrorNote error={first.error} />;
  if (!first.data) return <Loading />;
  const events = [...first.data.results, ...more];
  const nextUrl = next === undefined ? first.data.next : next;
  const loadMore = async () => {
    if (!nextUrl) return;
    try {
      const p = await api<FeedPage>(pathOf(nextUrl));
      setMore([...more, ...p.results]);
      setNext(p.next);
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      {events.length === 0 && (
        <p>
          Nothing yet. Follow people from their pages (a review's author, say) and what they do shows here.
        </p>
      )}
      <ol className="feed">
        {events.map((e) => (
          <li key={e.id}>
            <Link to={`/users/${e.actor.username}`}>{e.actor.display_name || e.actor.username}</Link> <What e={e} />
            <time dateTime={e.created_at} className="hint">
              {' '}
              · {new Date(e.created_at).toLocaleString()}
            </time>
          </li>
        ))}
      </ol>
      <ErrorNote error={error} />
      {nextUrl && (
        <button type="button" className="secondary" onClick={loadMore}>
          Older
        </button>
      )}
    </>
  );
}

export default function Feed() {
  return (
    <RequireUser>
      <div className="narrow wide-ok">
        <h1>Your feed</h1>
        <FeedBody />
      </div>
    </RequireUser>
  );
}
