// The signed-in user, for every component: loaded from /api/users/me/
// when a session exists (after a reload, through a refresh), and again
// whenever the session changes (sign in, sign out, another tab).
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, hasSession, onSessionChange, type User } from './api';

interface Session {
  user: User | null;
  ready: boolean;
  reload: () => void;
}

const SessionContext = createContext<Session>({ user: null, ready: true, reload: () => undefined });

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [ready, setReady] = useState(!hasSession());
  const [gen, setGen] = useState(0);

  useEffect(() => onSessionChange(() => setGen((g) => g + 1)), []);
  useEffect(() => {
    let live = true;
    if (!hasSession()) {
      setUser(null);
      setReady(true);
      return;
    }
    api<User>('/api/users/me/')
      .then((u) => live && setUser(u))
      .catch(() => live && setUser(null))
      .finally(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, [gen]);

  return (
    <SessionContext.Provider value={{ user, ready, reload: () => setGen((g) => g + 1) }}>
      {children}
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  return useContext(SessionContext);
}
