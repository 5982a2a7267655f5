// The comments thread, the trailer facade and the social sign-in buttons.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearSession } from '../src/api';
import { Comments, type Comment } from '../src/components/Comments';
import { SocialSignIn } from '../src/components/SocialSignIn';
import { Trailer } from '../src/components/Trailer';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  clearSession();
});

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

const comment = (id: number, over: Partial<Comment> = {}): Comment => ({
  id,
  parent: null,
  author: 'ann',
  body: `comment ${id}`,
  deleted: false,
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-01T10:00:00Z',
  replies: [],
  replies_count: 0,
  ...over,
});

describe('Comments', () => {
  it('nests replies, shows a deleted one as such, pages the rest of a thread, and offers no action to a visitor', async () => {
    const thread = comment(1, {
      replies: [comment(2, { parent: 1, author: null, body: '[deleted]', deleted: true })],
      replies_count: 3,
    });
    const fetch = vi.fn(async (url: string) =>
      url.includes('parent=1')
        ? json({ count: 3, next: null, previous: null, results: [comment(2, { parent: 1 }), comment(3, { parent: 1 }), comment(4, { parent: 1 })] })
        : json({ count: 1, next: null, previous: null, results: [thread] }),
    );
    vi.stubGlobal('fetch', fetch);
    render(
      <MemoryRouter>
        <Comments movieId={7} />
      </MemoryRouter>,
    );
    await screen.findByText('comment 1');
    const deleted = screen.getByText('[deleted]');
    expect(deleted.closest('.comment-replies')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Reply|Edit|Delete|Report/ })).toBeNull();
    expect(screen.getByText('to join the conversation.', { exact: false })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show all 3 replies' }));
    await screen.findByText('comment 4');
    expect(fetch.mock.calls.some(([u]) => String(u).startsWith('/api/movies/7/comments/?parent=1'))).toBe(true);
  });
});

describe('Trailer', () => {
  it('is a button until clicked, then the privacy-enhanced player', () => {
    render(<Trailer videoKey="abc_DEF-1" title="Nosferatu" />);
    expect(document.querySelector('iframe')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: /Play the trailer/ }));
    const frame = screen.getByTitle('Trailer: Nosferatu') as HTMLIFrameElement;
    expect(frame.src).toMatch(/^https:\/\/www\.youtube-nocookie\.com\/embed\/abc_DEF-1\?/);
  });
});

describe('SocialSignIn', () => {
  it('shows nothing when the API has no provider', async () => {
    const fetch = vi.fn(async () => json({ providers: [] }));
    vi.stubGlobal('fetch', fetch);
    const { container } = render(<SocialSignIn next="/" />);
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 0));
    expect(container.innerHTML).toBe('');
  });
  it('shows one button per configured provider', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ providers: [{ name: 'gh', display_name: 'GitHub', kind: 'github', start: '/api/auth/oauth/gh/start/' }] })));
    render(<SocialSignIn next="/" />);
    await screen.findByRole('button', { name: 'Sign in with GitHub' });
    expect(screen.getAllByRole('button')).toHaveLength(1);
  });
});
