// Home: where an admin starts. A checklist read from the workspace's real state leads from an empty workspace to
// the first notification a customer receives: connect a store → connect a channel → switch a notification on →
// send a test.
import { get } from '../api';
import type { components } from '../api-types';
import { Link } from '../router';
import { Async, useLoad } from '../ui';

type SetupState = components['schemas']['SetupState'];

interface Step {
  id: string;
  title: string;
  done: boolean;
  /** What is there now (done) or why it matters (to do). */
  detail: string;
  to: string;
  action: string;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function stepsOf(s: SetupState): Step[] {
  return [
    {
      id: 'store',
      title: 'Connect a store',
      done: s.store_connected,
      detail: s.store_connected ? `${plural(s.stores, 'store is', 'stores are')} connected.` : 'Orders, shipments and customers come from your store: Shopify, SHOPLINE, CYBERBIZ, 91APP and more.',
      to: '/integrations?connect=store',
      action: s.store_connected ? 'Manage stores' : 'Connect a store',
    },
    {
      id: 'channel',
      title: 'Connect a channel',
      done: s.channel_connected,
      detail: s.channel_connected ? `${plural(s.channels, 'messaging account is', 'messaging accounts are')} connected.` : 'WhatsApp, Messenger, LINE, SMS or e-mail: the account your notifications are sent from.',
      to: '/integrations?connect=channel',
      action: s.channel_connected ? 'Manage channels' : 'Connect a channel',
    },
    {
      id: 'notification',
      title: 'Turn on a notification',
      done: s.notification_enabled,
      detail: s.notification_enabled ? `${plural(s.notifications_enabled, 'notification is', 'notifications are')} on.` : 'Choose what customers hear about (order placed, shipped…) and on which channel.',
      to: '/notifications',
      action: s.notification_enabled ? 'Review notifications' : 'Choose notifications',
    },
    {
      id: 'test',
      title: 'Send a test',
      done: s.message_sent,
      detail: s.message_sent ? 'A message has been sent from this workspace.' : 'Send a notification to your own phone or e-mail to see what customers will receive.',
      to: '/notifications',
      action: s.message_sent ? 'Send another test' : 'Send a test',
    },
  ];
}

export function HomePage() {
  const setup = useLoad('setup', () => get<SetupState>('/v1/setup'));
  return (
    <section>
      <h1>Home</h1>
      <Async load={setup}>
        {(s) => {
          const steps = stepsOf(s);
          const done = steps.filter((x) => x.done).length;
          const next = steps.find((x) => !x.done) ?? null;
          return (
            <>
              <p className="lead" data-testid="setup-progress">
                {next ? `Get ready to send your first notification: ${done} of ${steps.length} steps done.` : 'Your workspace is set up: customers receive your notifications.'}
              </p>
              <ol className="checklist" aria-label="Setup checklist">
                {steps.map((step) => (
                  <li key={step.id} className={step.done ? 'step done' : step === next ? 'step next' : 'step'} data-testid={`step-${step.id}`} data-done={step.done ? 'true' : 'false'}>
                    <span className="step-mark" aria-hidden="true">
                      {step.done ? '✓' : ''}
                    </span>
                    <div className="step-body">
                      <h2 className="step-title">
                        {step.title} <span className="sr-only">{step.done ? '(done)' : '(not done yet)'}</span>
                      </h2>
                      <p>{step.detail}</p>
                    </div>
                    <Link to={step.to} className={step === next ? 'button primary' : 'button'} data-testid={`step-${step.id}-link`}>
                      {step.action}
                    </Link>
                  </li>
                ))}
              </ol>
              {next ? null : (
                <div className="card">
                  <h2>What next</h2>
                  <ul>
                    <li>
                      <Link to="/inbox">Answer customers in the Inbox</Link>
                    </li>
                    <li>
                      <Link to="/orders">See what was sent for each order</Link>
                    </li>
                    <li>
                      <Link to="/usage">Follow your message usage</Link>
                    </li>
                  </ul>
                </div>
              )}
            </>
          );
        }}
      </Async>
    </section>
  );
}
