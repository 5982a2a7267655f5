import { useEffect, useState, type FormEvent } from 'react';
import { Link, NavLink, useNavigate } from 'react-router-dom';
import { api, language, setLanguage, signOut } from '../api';
import { useSession } from '../session';

const LANGUAGES: [string, string][] = [
  ['', 'Language: auto'],
  ['en-US', 'English'],
  ['fr', 'Français'],
  ['de', 'Deutsch'],
  ['es', 'Español'],
  ['pt-BR', 'Português (Brasil)'],
];

/** The unread notifications count, polled once a minute while signed in. */
function useUnread(signedIn: boolean): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!signedIn) {
      setN(0);
      return;
    }
    let live = true;
    const poll = () =>
      api<{ unread_count: number }>('/api/notifications/?page_size=1')
        .then((p) => live && setN(p.unread_count ?? 0))
        .catch(() => undefined);
    poll();
    const t = window.setInterval(poll, 60000);
    window.addEventListener('marquee:notifications', poll);
    return () => {
      live = false;
      window.clearInterval(t);
      window.removeEventListener('marquee:notifications', poll);
    };
  }, [signedIn]);
  return n;
}

export function Header() {
  const { user } = useSession();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const unread = useUnread(!!user);

  const search = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
  };
  const out = async () => {
    await signOut();
    navigate('/');
  };

  return (
    <header className="header">
      <div className="header-inner">
        <Link to="/" className="brand" aria-label="Marquee home">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Marquee</span>
        </Link>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={open}
          aria-controls="site-nav"
          onClick={() => setOpen(!open)}
        >
          Menu
        </button>
        <nav id="site-nav" className={`nav ${open ? 'open' : ''}`} aria-label="Main" onClick={() => setOpen(false)}>
          <NavLink to="/browse">Browse</NavLink>
          {user && <NavLink to="/feed">Feed</NavLink>}
          <NavLink to="/plans">Plans</NavLink>
          {user?.role === 'admin' && <NavLink to="/admin">Admin</NavLink>}
          {user ? (
            <>
              <NavLink to="/notifications" className="bell">
                Notifications
                {unread > 0 && (
                  <span className="badge" aria-label={`${unread} unread`}>
                    {unread > 99 ? '99+' : unread}
                  </span>
                )}
              </NavLink>
              <NavLink to="/me">{user.username}</NavLink>
              <button type="button" className="linkish" onClick={out}>
                Sign out
              </button>
            </>
          ) : (
            <>
              <NavLink to="/signin">Sign in</NavLink>
              <NavLink to="/signup" className="button small">
                Sign up
              </NavLink>
            </>
          )}
        </nav>
        <form className="search" role="search" onSubmit={search}>
          <label htmlFor="site-search" className="sr-only">
            Search movies
          </label>
          <input
            id="site-search"
            type="search"
            placeholder="Search movies"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </form>
        <label className="lang">
          <span className="sr-only">Language</span>
          <select
            defaultValue={language()}
            onChange={(e) => {
              setLanguage(e.target.value);
              window.location.reload();
            }}
          >
            {LANGUAGES.map(([v, name]) => (
              <option key={v} value={v}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
    </header>
  );
}
