// The shell: restores the session, shows sign-in or the top bar and the current page.
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { onUnauthorized, restoreSession, signOut } from './api';
import type { Session } from './api';
import { Link, match, navigate, useLocation } from './router';
import { ErrorBox, Loading, PageErrorBoundary } from './ui';
import { SignInPage } from './pages/SignIn';
import { IntegrationsPage } from './pages/Integrations';
import { NotificationsPage } from './pages/Notifications';
import { OrdersPage } from './pages/Orders';
import { InboxPage } from './pages/Inbox';
import { CustomersPage } from './pages/Customers';
import { UsagePage } from './pages/Usage';
import { DevelopersPage } from './pages/Developers';
import { PhonePage } from './pages/Phone';
import { ChatSettingsPage } from './pages/ChatSettings';

// Integrations and Developers show secrets and access (connections, API keys, webhooks): admins only.
const NAV = [
  { to: '/integrations', label: 'Integrations', testid: 'nav-integrations', adminOnly: true },
  { to: '/notifications', label: 'Notifications', testid: 'nav-notifications' },
  { to: '/chat-settings', label: 'Chat & loyalty', testid: 'nav-chat-settings', adminOnly: true },
  { to: '/orders', label: 'Orders', testid: 'nav-orders' },
  { to: '/inbox', label: 'Inbox', testid: 'nav-inbox' },
  { to: '/customers', label: 'Customers', testid: 'nav-customers' },
  { to: '/usage', label: 'Usage', testid: 'nav-usage' },
  { to: '/developers', label: 'Developers', testid: 'nav-developers', adminOnly: true },
  { to: '/phone', label: 'Sandbox phone', testid: 'nav-phone' },
] as const;

const homeOf = (s: Session): string => (s.user.role === 'admin' ? '/integrations' : '/inbox');

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(true);
  const [restoreError, setRestoreError] = useState<unknown>(null);

  useEffect(() => {
    restoreSession().then(
      (s) => {
        setSession(s);
        setRestoring(false);
      },
      (e: unknown) => {
        setRestoreError(e);
        setRestoring(false);
      },
    );
  }, []);

  // An expired session anywhere sends the user back to sign in.
  useEffect(() => onUnauthorized(() => setSession(null)), []);

  if (restoring) return <Loading label="Starting the console…" />;
  if (!session) {
    return (
      <main className="signin-wrap">
        {restoreError ? <ErrorBox error={restoreError} /> : null}
        <SignInPage
          onSignedIn={(s) => {
            setSession(s);
            if (window.location.pathname === '/' || window.location.pathname === '/signin') navigate(homeOf(s), true);
          }}
        />
      </main>
    );
  }
  return <Shell session={session} onSignedOut={() => setSession(null)} />;
}

function Shell({ session, onSignedOut }: { session: Session; onSignedOut: () => void }) {
  const loc = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);

  useEffect(() => {
    if (loc.path === '/' || loc.path === '/signin') navigate(homeOf(session), true);
    setMenuOpen(false);
  }, [loc.path]);

  const out = async () => {
    await signOut(session);
    onSignedOut();
    navigate('/', true);
  };

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ◆
          </span>
          <span className="ws">{session.workspace.name}</span>
        </div>
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <nav id="main-nav" className={menuOpen ? 'nav open' : 'nav'} aria-label="Main">
          {NAV.filter((n) => !('adminOnly' in n) || session.user.role === 'admin').map((n) => (
            <Link key={n.to} to={n.to} data-testid={n.testid} aria-current={loc.path.startsWith(n.to) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="user">
          <span title={session.user.email}>
            <span data-testid="user-name">{session.user.name || session.user.email}</span> <span className="muted">({session.user.role}{session.mode === 'apikey' ? ', API key' : ''})</span>
          </span>
          <button type="button" className="small" onClick={() => void out()} data-testid="signout">
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <PageErrorBoundary key={loc.path} page={loc.path.split('/')[1] || 'home'}>
          <Page path={loc.path} session={session} />
        </PageErrorBoundary>
      </main>
    </>
  );
}

function Page({ path, session }: { path: string; session: Session }): ReactNode {
  const routes: Array<[string, (p: Record<string, string>) => ReactNode]> = [
    ['/integrations', () => <IntegrationsPage session={session} />],
    ['/notifications', () => <NotificationsPage session={session} />],
    ['/chat-settings', () => (session.user.role === 'admin' ? <ChatSettingsPage /> : <p className="note">Only admins can change the chat and loyalty settings.</p>)],
    ['/orders', () => <OrdersPage orderId={null} />],
    ['/orders/:id', (p) => <OrdersPage orderId={p.id ?? null} />],
    ['/inbox', () => <InboxPage session={session} ticketId={null} />],
    ['/inbox/:id', (p) => <InboxPage session={session} ticketId={p.id ?? null} />],
    ['/customers', () => <CustomersPage customerId={null} />],
    ['/customers/:id', (p) => <CustomersPage customerId={p.id ?? null} />],
    ['/usage', () => <UsagePage session={session} />],
    ['/developers', () => <DevelopersPage />],
    ['/phone', () => <PhonePage />],
  ];
  for (const [pattern, render] of routes) {
    const params = match(pattern, path);
    if (params) return render(params);
  }
  if (path === '/' || path === '/signin') return <Loading />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page at <code>{path}</code>. <Link to="/integrations">Go to Integrations</Link>.
      </p>
    </section>
  );
}
