// A member's public page: who they are, follow / unfollow, their public lists.
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, type Page } from '../api';
import { ErrorNote, Loading } from '../components/Status';
import { useSession } from '../session';
import { useApi } from '../useApi';

interface PublicUser {
  username: string;
  display_name: string;
  bio: string;
  avatar_url: string | null;
  date_joined: string;
  followers_count: number;
  following_count: number;
}

export default function UserPage() {
  const { username = '' } = useParams();
  const { user } = useSession();
  const u = useApi<PublicUser>(`/api/users/${encodeURIComponent(username)}/`);
  const lists = useApi<Page<{ id: number; name: string; items_count: number }>>(`/api/lists/?username=${encodeURIComponent(username)}`);
  const followers = useApi<Page<{ username: string }>>(
    user ? `/api/users/${encodeURIComponent(username)}/followers/?page_size=100` : null,
  );
  const [error, setError] = useState<Error | null>(null);
  if (u.error) return <ErrorNote error={u.error} />;
  if (!u.data) return <Loading />;
  const following = !!followers.data?.results.some((f) => f.username === user?.username);
  const toggle = async () => {
    setError(null);
    try {
      await api(`/api/users/${encodeURIComponent(username)}/follow/`, { method: following ? 'DELETE' : 'POST' });
      followers.reload();
      u.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const p = u.data;
  return (
    <div className="narrow wide-ok">
      <div className="user-head">
        {p.avatar_url ? <img className="avatar" src={p.avatar_url} alt="" width={64} height={64} /> : <div className="avatar placeholder" aria-hidden="true">{p.username[0]?.toUpperCase()}</div>}
        <div>
          <h1>{p.display_name || p.username}</h1>
          <p className="hint">
            @{p.username} · {p.followers_count} followers · {p.following_count} following · joined {new Date(p.date_joined).toLocaleDateString()}
          </p>
        </div>
      </div>
      {p.bio && <p>{p.bio}</p>}
      {user && user.username !== p.username && followers.data && (
        <button type="button" onClick={toggle} aria-pressed={following}>
          {following ? 'Following ✓' : 'Follow'}
        </button>
      )}
      <ErrorNote error={error} />
      <h2>Public lists</h2>
      {lists.data?.results.length ? (
        <ul className="list-cards">
          {lists.data.results.map((l) => (
            <li key={l.id}>
              <Link to={`/lists/${l.id}`}>{l.name}</Link> <span className="hint">· {l.items_count} movies</span>
            </li>
          ))}
        </ul>
      ) : (
        <p>No public lists.</p>
      )}
    </div>
  );
}
