// The shell: restores the session, shows sign-in or the top bar and the current page.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { onUnauthorized, restoreSession, signOut } from './api';
import type { Session } from './api';
import { APP_NAME, Link, match, navigate, useLocation } from './router';
import { ErrorBox, Loading, PageErrorBoundary } from './ui';
import { SignInPage } from './pages/SignIn';
import { HomePage } from './pages/Home';
import { IntegrationsPage } from './pages/Integrations';
import { NotificationsPage } from './pages/Notifications';
import { OrdersPage } from './pages/Orders';
import { InboxPage } from './pages/Inbox';
import { CustomersPage } from './pages/Customers';
import { UsagePage } from './pages/Usage';
import { ReportsPage } from './pages/Reports';
import { DevelopersPage } from './pages/Developers';
import { PhonePage } from './pages/Phone';
import { ChatSettingsPage } from './pages/ChatSettings';
import { JobsPage } from './pages/Jobs';
import { InboxSettingsPage } from './pages/InboxSettings';
import { ContactsPage } from './pages/Contacts';
import { MentionsBadge, MentionsPage } from './inbox-tools';
import { ServiceLevelsPage } from './pages/ServiceLevels';
import { TeamPage } from './pages/Team';
import { AcceptInvitePage } from './pages/AcceptInvite';

// Home (the first-run checklist), Integrations and Developers show secrets and access (connections, API keys,
// webhooks), and Jobs the queue and the dead jobs: admins only.
const NAV = [
  { to: '/', label: 'Home', testid: 'nav-home', adminOnly: true },
  { to: '/integrations', label: 'Integrations', testid: 'nav-integrations', adminOnly: true },
  { to: '/notifications', label: 'Notifications', testid: 'nav-notifications' },
  { to: '/chat-settings', label: 'Chat & loyalty', testid: 'nav-chat-settings', adminOnly: true },
  { to: '/orders', label: 'Orders', testid: 'nav-orders' },
  { to: '/inbox', label: 'Inbox', testid: 'nav-inbox' },
  { to: '/service-levels', label: 'Service levels', testid: 'nav-service-levels', adminOnly: true },
  { to: '/customers', label: 'Customers', testid: 'nav-customers' },
  { to: '/contacts', label: 'Contacts', testid: 'nav-contacts' },
  { to: '/inbox-settings', label: 'Inbox settings', testid: 'nav-inbox-settings', adminOnly: true },
  { to: '/reports', label: 'Reports', testid: 'nav-reports' },
  { to: '/usage', label: 'Usage', testid: 'nav-usage' },
  { to: '/team', label: 'Team', testid: 'nav-team', adminOnly: true },
  { to: '/developers', label: 'Developers', testid: 'nav-developers', adminOnly: true },
  { to: '/jobs', label: 'Jobs', testid: 'nav-jobs', adminOnly: true },
  { to: '/phone', label: 'Sandbox phone', testid: 'nav-phone' },
] as const;

const homeOf = (s: Session): string => (s.user.role === 'admin' ? '/' : '/inbox');

/** The default title of a path: its navigation entry's label. */
function titleOf(path: string): string {
  if (path === '/') return 'Home';
  const entry = NAV.find((n) => n.to !== '/' && (path === n.to || path.startsWith(`${n.to}/`)));
  return entry ? entry.label : 'Not found';
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(true);
  const [restoreError, setRestoreError] = useState<unknown>(null);
  const invitePath = window.location.pathname === '/invite';
  const [invited, setInvited] = useState<string | null>(null);

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

  // An expired session anywhere sends the user back to sign in, and the sign-in page says why; signing in again
  // returns to the page they were on.
  const [expired, setExpired] = useState(false);
  const signedIn = useRef(false);
  signedIn.current = session !== null;
  useEffect(
    () =>
      onUnauthorized(() => {
        if (signedIn.current) setExpired(true);
        setSession(null);
      }),
    [],
  );

  useLayoutEffect(() => {
    if (!session && !restoring) document.title = `Sign in · ${APP_NAME}`;
  }, [session, restoring]);

  // An invitation link opens its own page, signed in or not (it makes a new account).
  if (invitePath && !invited) {
    return (
      <main className="signin-wrap" id="main">
        <AcceptInvitePage
          onDone={(email) => {
            // The link is used: it leaves the address bar, and the sign-in page says what to do next.
            window.history.replaceState(null, '', '/');
            setInvited(email);
          }}
        />
      </main>
    );
  }
  if (restoring) return <Loading label="Starting the console…" />;
  if (!session) {
    return (
      <main className="signin-wrap" id="main">
        {restoreError ? <ErrorBox error={restoreError} /> : null}
        {invited ? (
          <p className="notice" role="status" data-testid="invite-accepted">
            Your account is ready: sign in with {invited} and the password you chose.
          </p>
        ) : null}
        <SignInPage
          expired={expired}
          onSignedIn={(s) => {
            setExpired(false);
            setSession(s);
            if (window.location.pathname === '/' || window.location.pathname === '/signin' || window.location.pathname === '/invite') navigate(homeOf(s), true);
          }}
        />
      </main>
    );
  }
  return (
    <Shell
      session={session}
      onSignedOut={() => {
        setExpired(false);
        setSession(null);
      }}
    />
  );
}

function Shell({ session, onSignedOut }: { session: Session; onSignedOut: () => void }) {
  const loc = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const nav = useRef<HTMLElement>(null);

  useEffect(() => {
    if (loc.path === '/signin' || (loc.path === '/' && homeOf(session) !== '/')) navigate(homeOf(session), true);
    setMenuOpen(false);
  }, [loc.path]);

  // Each page's default title; a page may set a more specific one with useDocumentTitle (its effect runs later).
  useLayoutEffect(() => {
    document.title = `${titleOf(loc.path)} · ${APP_NAME}`;
  }, [loc.path]);

  // The narrow-screen menu: Escape closes it and gives focus back to its button; opening it moves focus in.
  useEffect(() => {
    if (!menuOpen) return;
    nav.current?.querySelector<HTMLAnchorElement>('a')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setMenuOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);

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
        <button ref={toggle} type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" data-testid="menu-toggle" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <nav ref={nav} id="main-nav" className={menuOpen ? 'nav open' : 'nav'} aria-label="Main">
          {NAV.filter((n) => !('adminOnly' in n) || session.user.role === 'admin').map((n) => (
            <Link key={n.to} to={n.to} data-testid={n.testid} onClick={() => setMenuOpen(false)} aria-current={loc.path === n.to || (n.to !== '/' && loc.path.startsWith(`${n.to}/`)) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="user">
          {session.mode === 'session' ? <MentionsBadge /> : null}
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
    ['/', () => (session.user.role === 'admin' ? <HomePage /> : <Loading />)],
    ['/integrations', () => <IntegrationsPage session={session} />],
    ['/notifications', () => <NotificationsPage session={session} />],
    ['/chat-settings', () => (session.user.role === 'admin' ? <ChatSettingsPage /> : <p className="note">Only admins can change the chat and loyalty settings.</p>)],
    ['/orders', () => <OrdersPage orderId={null} />],
    ['/orders/:id', (p) => <OrdersPage orderId={p.id ?? null} />],
    ['/inbox', () => <InboxPage session={session} ticketId={null} />],
    ['/inbox/:id', (p) => <InboxPage session={session} ticketId={p.id ?? null} />],
    ['/inbox-settings', () => (session.user.role === 'admin' ? <InboxSettingsPage /> : <p className="note">Only admins can change the canned replies and labels.</p>)],
    ['/mentions', () => <MentionsPage />],
    ['/contacts', () => <ContactsPage />],
    ['/service-levels', () => (session.user.role === 'admin' ? <ServiceLevelsPage /> : <p className="note">Only admins can change business hours, SLA policies and the survey.</p>)],
    ['/customers', () => <CustomersPage customerId={null} />],
    ['/customers/:id', (p) => <CustomersPage customerId={p.id ?? null} />],
    ['/reports', () => <ReportsPage session={session} />],
    ['/usage', () => <UsagePage session={session} />],
    ['/team', () => (session.user.role === 'admin' ? <TeamPage session={session} /> : <p className="note">Only admins can manage the team.</p>)],
    ['/developers', () => <DevelopersPage />],
    ['/jobs', () => (session.user.role === 'admin' ? <JobsPage /> : <p className="note">Only admins can see the jobs.</p>)],
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
        There is no page at <code>{path}</code>. <Link to={homeOf(session)}>Go to the start page</Link>.
      </p>
    </section>
  );
}
