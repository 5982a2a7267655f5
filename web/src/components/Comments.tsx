// A movie's threaded comments (GET /api/movies/{id}/comments/): threads
// oldest first, each with its first replies two levels down; a comment
// with more replies than shown loads them with ?parent=.  Signed in, one
// replies, edits and deletes one's own (PUT/DELETE /api/comments/{id}/; a
// deleted comment stays as "[deleted]"), and reports another's
// (POST /api/reports/).
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, type Page } from '../api';
import { useSession } from '../session';
import { useApi } from '../useApi';
import { Pager } from './Pager';
import { ErrorNote } from './Status';

export interface Comment {
  id: number;
  parent: number | null;
  author: string | null;
  body: string;
  deleted: boolean;
  created_at: string;
  updated_at: string;
  replies: Comment[];
  replies_count: number;
}

const REASONS: [string, string][] = [
  ['spam', 'Spam'],
  ['abuse', 'Abuse'],
  ['spoiler', 'Spoiler'],
  ['other', 'Other'],
];

/** A textarea and its buttons: a new comment, a reply or an edit. */
function CommentForm({
  label,
  submit,
  initial = '',
  onCancel,
  button,
}: {
  label: string;
  submit: (body: string) => Promise<void>;
  initial?: string;
  onCancel?: () => void;
  button: string;
}) {
  const [body, setBody] = useState(initial);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await submit(body);
      setBody('');
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="comment-form" onSubmit={send}>
      {/* a label apart from its textarea: an edit's text is not part of its name */}
      <label htmlFor={id}>{label}</label>
      <textarea id={id} value={body} onChange={(e) => setBody(e.target.value)} required maxLength={5000} rows={3} />
      <ErrorNote error={error} />
      <div className="action-buttons">
        <button type="submit" className="small" disabled={busy}>
          {button}
        </button>
        {onCancel && (
          <button type="button" className="secondary small" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function ReportForm({ comment, onDone }: { comment: Comment; onDone: (message: string) => void }) {
  const [reason, setReason] = useState('spam');
  const [details, setDetails] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('/api/reports/', { json: { comment: comment.id, reason, details } });
      onDone('Thank you: an administrator will look at it.');
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) onDone(err.message);
      else setError(err as Error);
    }
  };
  return (
    <form className="comment-form inline-form" onSubmit={send}>
      <label>
        Reason
        <select value={reason} onChange={(e) => setReason(e.target.value)}>
          {REASONS.map(([v, name]) => (
            <option key={v} value={v}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Details (optional)
        <input value={details} onChange={(e) => setDetails(e.target.value)} maxLength={1000} />
      </label>
      <button type="submit" className="small">
        Send report
      </button>
      <button type="button" className="secondary small" onClick={() => onDone('')}>
        Cancel
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

type Mode = 'view' | 'reply' | 'edit' | 'report';

function CommentItem({ movieId, c, me, reload }: { movieId: number; c: Comment; me: string | null; reload: () => void }) {
  const [mode, setMode] = useState<Mode>('view');
  const [message, setMessage] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [more, setMore] = useState<Comment[] | null>(null);
  const mine = me !== null && c.author === me;
  const replies = more ?? c.replies;
  const who = c.author ?? 'a deleted user';

  const remove = async () => {
    if (!window.confirm('Delete this comment? It stays in its thread as [deleted].')) return;
    setError(null);
    try {
      await api(`/api/comments/${c.id}/`, { method: 'DELETE' });
      reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const loadMore = async () => {
    setError(null);
    try {
      const p = await api<Page<Comment>>(`/api/movies/${movieId}/comments/?parent=${c.id}&page_size=100`);
      setMore(p.results);
    } catch (e) {
      setError(e as Error);
    }
  };
  const after = () => {
    setMode('view');
    setMore(null);
    reload();
  };

  return (
    <li className="comment" id={`comment-${c.id}`}>
      <article aria-label={`Comment by ${who}`}>
        <header className="hint">
          {c.author ? <Link to={`/users/${c.author}`}>{c.author}</Link> : <span>deleted</span>}
          <time dateTime={c.created_at}> · {new Date(c.created_at).toLocaleString()}</time>
          {!c.deleted && c.updated_at !== c.created_at && <span> · edited</span>}
        </header>
        {mode === 'edit' ? (
          <CommentForm
            label="Edit your comment"
            initial={c.body}
            button="Save comment"
            onCancel={() => setMode('view')}
            submit={async (body) => {
              await api(`/api/comments/${c.id}/`, { method: 'PUT', json: { body } });
              after();
            }}
          />
        ) : (
          <p className={c.deleted ? 'comment-body deleted' : 'comment-body'}>{c.body}</p>
        )}
        {me !== null && !c.deleted && mode === 'view' && (
          <div className="comment-actions">
            <button type="button" className="linkish" onClick={() => setMode('reply')} aria-label={`Reply to ${who}`}>
              Reply
            </button>
            {mine ? (
              <>
                <button type="button" className="linkish" onClick={() => setMode('edit')}>
                  Edit
                </button>
                <button type="button" className="linkish" onClick={remove}>
                  Delete
                </button>
              </>
            ) : (
              <button type="button" className="linkish" onClick={() => setMode('report')} aria-label={`Report the comment by ${who}`}>
                Report
              </button>
            )}
          </div>
        )}
        {mode === 'reply' && (
          <CommentForm
            label={`Reply to ${who}`}
            button="Post reply"
            onCancel={() => setMode('view')}
            submit={async (body) => {
              await api(`/api/movies/${movieId}/comments/`, { json: { body, parent: c.id } });
              after();
            }}
          />
        )}
        {mode === 'report' && (
          <ReportForm
            comment={c}
            onDone={(m) => {
              setMessage(m);
              setMode('view');
            }}
          />
        )}
        {message && (
          <p className="hint" role="status">
            {message}
          </p>
        )}
        <ErrorNote error={error} />
      </article>
      {replies.length > 0 && (
        <ul className="comment-replies">
          {replies.map((r) => (
            <CommentItem key={r.id} movieId={movieId} c={r} me={me} reload={reload} />
          ))}
        </ul>
      )}
      {c.replies_count > replies.length && (
        <button type="button" className="linkish more-replies" onClick={loadMore}>
          Show all {c.replies_count} replies
        </button>
      )}
    </li>
  );
}

export function Comments({ movieId }: { movieId: number }) {
  const { user } = useSession();
  const [page, setPage] = useState(1);
  const threads = useApi<Page<Comment>>(`/api/movies/${movieId}/comments/?page=${page}&page_size=20`, user?.id);
  const me = user ? user.username : null;
  return (
    <section className="comments" aria-labelledby="comments-h">
      <h2 id="comments-h">Comments {threads.data ? <span className="hint">({threads.data.count})</span> : null}</h2>
      <ErrorNote error={threads.error} />
      {threads.data?.results.length === 0 && <p>No comments yet.</p>}
      {threads.data && threads.data.results.length > 0 && (
        <ul className="comment-threads">
          {threads.data.results.map((c) => (
            <CommentItem key={c.id} movieId={movieId} c={c} me={me} reload={threads.reload} />
          ))}
        </ul>
      )}
      {threads.data && <Pager page={page} hasNext={!!threads.data.next} onPage={setPage} label="Comment pages" />}
      {user ? (
        <CommentForm
          label="Add a comment"
          button="Post comment"
          submit={async (body) => {
            await api(`/api/movies/${movieId}/comments/`, { json: { body } });
            threads.reload();
          }}
        />
      ) : (
        <p>
          <Link to="/signin">Sign in</Link> to join the conversation.
        </p>
      )}
    </section>
  );
}
