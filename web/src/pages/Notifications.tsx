import { Link } from 'react-router-dom';
import { api, type Page } from '../api';
import { RequireUser } from '../components/RequireUser';
import { ErrorNote, Loading } from '../components/Status';
import { useApi } from '../useApi';

interface Notification {
  id: number;
  kind: string;
  text: string;
  read: boolean;
  movie: { id: number; title: string } | null;
  created_at: string;
}

function changed() {
  window.dispatchEvent(new Event('marquee:notifications'));
}

function Body() {
  const r = useApi<Page<Notification> & { unread_count: number }>('/api/notifications/?page_size=50');
  if (r.error) return <ErrorNote error={r.error} />;
  if (!r.data) return <Loading />;
  const read = async (n: Notification) => {
    await api(`/api/notifications/${n.id}/read/`, { method: 'POST' });
    r.reload();
    changed();
  };
  const readAll = async () => {
    await api('/api/notifications/read-all/', { method: 'POST' });
    r.reload();
    changed();
  };
  return (
    <>
      <p>
        {r.data.unread_count} unread{' '}
        {r.data.unread_count > 0 && (
          <button type="button" className="secondary small" onClick={readAll}>
            Mark all read
          </button>
        )}
      </p>
      {r.data.results.length === 0 && <p>No notifications yet.</p>}
      <ul className="notifications">
        {r.data.results.map((n) => (
          <li key={n.id} className={n.read ? 'read' : 'unread'}>
            <p>
              {n.text} {n.movie && <Link to={`/movies/${n.movie.id}`}>{n.movie.title}</Link>}
            </p>
            <time className="hint" dateTime={n.created_at}>
              {new Date(n.created_at).toLocaleString()}
            </time>
            {!n.read && (
              <button type="button" className="linkish" onClick={() => read(n)}>
                Mark read
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

export default function Notifications() {
  return (
    <RequireUser>
      <div className="narrow wide-ok">
        <h1>Notifications</h1>
        <Body />
      </div>
    </RequireUser>
  );
}
