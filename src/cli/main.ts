// The shoptalk command.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Config, Role } from '../config/index.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { createHub } from '../app.js';
import type { Hub } from '../app.js';
import { createLogger } from '../logger.js';
import { Storage } from '../storage/database.js';
// The sandbox (simulators, demo workspace, sandbox phone) is imported only with --sandbox and by `demo`, so a
// production start loads none of it.
import type { Simulators } from '../sandbox/sandbox.js';
import type { SimulatedPhone } from '../sandbox/phone.js';
import { tempDataDir, runDemoOrder } from './demo.js';
import { monthRange, usageCsv, usageTotals } from '../core/usage/report.js';
import { packageVersion } from '../storage/release.js';
import { migrationStatus, noDatabaseStatus, summarise } from '../storage/migration-status.js';
import { backup, restore, rotate } from './operate.js';

/** `migrate --status` exits with this code when migrations are pending (1 is any other failure). */
export const EXIT_MIGRATIONS_PENDING = 3;

const usage = `Usage: shoptalk <command> [options]

Commands:
  start [--role all|api|worker] [--sandbox]   Run the hub (default role: all). --sandbox also runs the
                                              provider simulators and a demo workspace wired to them.
  migrate                                     Apply database migrations and exit.
  migrate --status                            List every migration, applied (with when) or pending; exits 0
                                              when the database is up to date, 3 when migrations are pending.
  backup <file>                               SQLite: write a consistent copy of the database to a new file
                                              (owner-only) while the hub runs. PostgreSQL: prints the pg_dump
                                              commands and exits 2. Back up the master key separately.
  restore <file>                              SQLite: replace the data folder's database with a backup; the hub
                                              must be stopped; the previous file is kept beside it.
  secrets rotate [--previous-key-file f] [--batch-size n]
                                              Re-seal every stored secret under the current master key, opening
                                              them with the previous key (SHOPTALK_MASTER_KEY_PREVIOUS or the file),
                                              n rows per transaction (200).
  version, --version                          Print the version.
  workspace create <name>                     Create a workspace; prints its id.
  workspace list                              List workspaces.
  api-key create --workspace <id> [--name n]  Create an API key; the key is printed once.
  user create --workspace <id> --email <e> [--role admin|agent] [--name n]
                                              Create a console user; the password is printed once.
  api-key revoke --workspace <id> <key id>    Revoke an API key.
  jobs dead [--workspace <id>]                List jobs that failed for good.
  jobs redrive <job id> [--workspace <id>]    Run a dead job again.
  usage report [--from YYYY-MM] [--to YYYY-MM] [--format json|csv]
                                              Billable sends of every workspace (the operator's report).
  demo                                        Place a sample Shopify order in the sandbox and print the
                                              WhatsApp message the buyer received.

Configuration comes from environment variables; see the README.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function withHub<T>(config: Config, fn: (hub: Hub) => Promise<T>): Promise<T> {
  const hub = await createHub({ config, role: 'worker', logger: createLogger('warn') });
  try {
    return await fn(hub);
  } finally {
    await hub.stop();
  }
}

async function start(config: Config, role: Role, sandbox: boolean): Promise<void> {
  let sims: Simulators | null = null;
  let phone: SimulatedPhone | null = null;
  const sandboxModule = sandbox ? await import('../sandbox/sandbox.js') : null;
  if (sandboxModule) {
    const { SimulatedPhone } = await import('../sandbox/phone.js');
    sims = await sandboxModule.startSimulators({ host: config.http.host, basePort: config.sandbox.port });
    sandboxModule.useSimulators(config, sims);
    phone = new SimulatedPhone(sims);
  }
  const hub = await createHub({ config, role, sandbox: phone });
  phone?.attach(hub.uow);
  await hub.start();
  const shutdown = async (signal: string) => {
    hub.logger.info({ signal }, 'shutting down');
    await hub.stop();
    await sims?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const lines = [`Shoptalk ${role} is running${config.database.kind === 'sqlite' ? ` (SQLite in ${config.dataDir})` : ' (PostgreSQL)'}${config.redisUrl ? ' with Redis jobs' : ''}.`];
  if (hub.url) lines.push(`  Console:      ${hub.url}/`, `  API:          ${hub.url}/v1`, `  API docs:     ${hub.url}/docs`, `  Health:       ${hub.url}/healthz   Metrics: ${hub.url}/metrics`);
  if (hub.workerUrl) lines.push(`  Health:       ${hub.workerUrl}/healthz   Metrics: ${hub.workerUrl}/metrics`);
  if (sims && sandboxModule) {
    const { DEMO_SHOP } = sandboxModule;
    const demo = await sandboxModule.ensureDemoWorkspace(hub, sims);
    lines.push(
      '',
      'Sandbox',
      `  Demo workspace:      ${demo.workspaceId}`,
      `  Demo API key:        ${demo.apiKey}`,
      ...(demo.console ? [`  Console sign-in:     ${demo.console.email} / ${demo.console.password}`] : []),
      `  Shopify simulator:   ${sims.shopify.baseUrl}   (shop ${DEMO_SHOP})`,
      `  WhatsApp simulator:  ${sims.whatsapp.baseUrl}/_sim/messages   (messages the buyers received)`,
      `  SMS simulator:       ${sims.twilio.baseUrl}/_sim/messages`,
      `  Mail simulator:      ${sims.smtp.baseUrl}/_sim/mailbox   (SMTP on port ${sims.smtpPort})`,
      `  Other simulators:    Gupshup ${sims.gupshup.baseUrl}, Messenger ${sims.messenger.baseUrl}, LINE ${sims.line.baseUrl},`,
      `                       SHOPLINE ${sims.shopline.baseUrl}, CYBERBIZ ${sims.cyberbiz.baseUrl}, 91APP ${sims.ninetyOneApp.baseUrl}, Eshopbox ${sims.eshopbox.baseUrl},
                       EmpikPlace ${sims.mirakl.baseUrl}`,
      '',
      'Place a demo order and see the buyer’s WhatsApp message:',
      '  npm run shoptalk -- demo',
      `  curl -s -X POST ${sims.shopify.baseUrl}/_sim/orders -H 'content-type: application/json' -d '{"shop":"${DEMO_SHOP}"}'`,
      `  curl -s ${hub.url}/v1/messages -H 'authorization: Bearer ${demo.apiKey}'`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      sandbox: { type: 'boolean' },
      workspace: { type: 'string' },
      name: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      email: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      status: { type: 'boolean' },
      'previous-key-file': { type: 'string' },
      'batch-size': { type: 'string' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.version || command === 'version') {
    process.stdout.write(`shoptalk ${packageVersion()}\n`);
    return;
  }
  if (values.help || !command) {
    process.stdout.write(usage + '\n');
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }

  switch (command) {
    case 'start': {
      const role = (values.role ?? 'all') as Role;
      if (!['all', 'api', 'worker'].includes(role)) fail(`--role must be all, api or worker (got ${role})`);
      await start(config, role, values.sandbox === true || config.sandbox.enabled);
      return;
    }
    case 'migrate': {
      if (values.status) {
        // A status check creates no database: a SQLite file that does not exist has every migration pending.
        const states =
          config.database.kind === 'sqlite' && !fs.existsSync(config.database.file)
            ? noDatabaseStatus()
            : await (async () => {
                const storage = Storage.open(config.database);
                return migrationStatus(storage).finally(() => storage.close());
              })();
        for (const m of states) process.stdout.write(`${m.appliedAt ? 'applied' : 'pending'}\t${m.name}${m.appliedAt ? `\t${m.appliedAt.toISOString()}` : ''}\n`);
        const { pending } = summarise(states);
        process.stdout.write(pending ? `${pending} migration${pending === 1 ? '' : 's'} pending: run shoptalk migrate (the hub also applies them when it starts).\n` : 'The database is up to date.\n');
        process.exitCode = pending ? EXIT_MIGRATIONS_PENDING : 0;
        return;
      }
      const storage = Storage.open(config.database);
      const applied = await storage.migrate();
      await storage.close();
      process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
      return;
    }
    case 'workspace': {
      await withHub(config, async (hub) => {
        if (sub === 'create') {
          const name = [rest.join(' '), values.name].find((n) => n && n.trim());
          if (!name) fail('usage: shoptalk workspace create <name>');
          const ws = await hub.workspaces.createWorkspace(name);
          process.stdout.write(`${ws.id}\t${ws.name}\n`);
        } else if (sub === 'list') {
          for (const ws of await hub.workspaces.listWorkspaces()) process.stdout.write(`${ws.id}\t${ws.name}\n`);
        } else fail('usage: shoptalk workspace create <name> | workspace list');
      });
      return;
    }
    case 'api-key': {
      const workspace = values.workspace ?? fail('--workspace <id> is required');
      await withHub(config, async (hub) => {
        if (sub === 'create') {
          const { key, record } = await hub.workspaces.createApiKey(workspace, values.name ?? 'CLI');
          process.stdout.write(`${record.id}\n${key}\n(The key is shown only now; store it safely.)\n`);
        } else if (sub === 'revoke') {
          const id = rest[0] ?? fail('usage: shoptalk api-key revoke --workspace <id> <key id>');
          await hub.workspaces.revokeApiKey(workspace, id);
          process.stdout.write(`Revoked ${id}\n`);
        } else fail('usage: shoptalk api-key create|revoke --workspace <id>');
      });
      return;
    }
    case 'user': {
      const workspace = values.workspace ?? fail('--workspace <id> is required');
      await withHub(config, async (hub) => {
        if (sub !== 'create') fail('usage: shoptalk user create --workspace <id> --email <e-mail> [--role admin|agent] [--name n]');
        const email = values.email ?? fail('--email <e-mail> is required');
        const role = values.role === 'agent' ? 'agent' : values.role === undefined || values.role === 'admin' ? 'admin' : fail('--role must be admin or agent');
        if (!(await hub.uow.repos.workspaces.get(workspace))) fail(`shoptalk: workspace ${workspace} was not found; see shoptalk workspace list`);
        const { user, password } = await hub.users.create(workspace, { email, name: values.name ?? null, role });
        process.stdout.write(`${user.id}\t${user.email}\t${user.role}\n${password}\n(The password is shown only now.)\n`);
      });
      return;
    }
    case 'jobs': {
      await withHub(config, async (hub) => {
        if (sub === 'dead') {
          const dead = await hub.queue.deadJobs(values.workspace ?? null, 200);
          if (dead.length === 0) process.stdout.write('No dead jobs.\n');
          for (const j of dead) process.stdout.write(`${j.id}\t${j.type}\t${new Date(j.diedAt).toISOString()}\tattempts=${j.attempts}\t${j.lastError ?? ''}\n`);
        } else if (sub === 'redrive') {
          const id = rest[0] ?? fail('usage: shoptalk jobs redrive <job id>');
          if (!(await hub.queue.redrive(id, values.workspace ?? null))) fail(`no dead job ${id}`);
          process.stdout.write(`Job ${id} will run again.\n`);
        } else fail('usage: shoptalk jobs dead | jobs redrive <job id>');
      });
      return;
    }
    case 'usage': {
      if (sub !== 'report') fail('usage: shoptalk usage report [--from YYYY-MM] [--to YYYY-MM] [--format json|csv]');
      await withHub(config, async (hub) => {
        const range = monthRange(values.from, values.to);
        const rows = await hub.uow.repos.usage.report(range.from, range.to);
        if ((values.format ?? 'json') === 'csv') {
          const names = new Map<string, string>();
          for (const ws of new Set(rows.map((r) => r.workspaceId))) for (const a of await hub.uow.repos.channelAccounts.list(ws)) names.set(a.id, a.displayName ?? a.name);
          process.stdout.write(usageCsv(rows, true, names));
        }
        else process.stdout.write(JSON.stringify({ from: range.from, to: range.to, data: rows, totals: usageTotals(rows) }, null, 2) + '\n');
      });
      return;
    }
    case 'backup': {
      const file = sub ?? fail('usage: shoptalk backup <file>');
      process.exitCode = await backup(config, file, (text) => process.stdout.write(text));
      return;
    }
    case 'restore': {
      const file = sub ?? fail('usage: shoptalk restore <file>');
      process.exitCode = await restore(config, file, (text) => process.stdout.write(text));
      return;
    }
    case 'secrets': {
      if (sub !== 'rotate') fail('usage: shoptalk secrets rotate [--previous-key-file <file>]');
      const batchSize = values['batch-size'] ? Number(values['batch-size']) : undefined;
      if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) fail('--batch-size must be a positive whole number');
      process.exitCode = await rotate(config, { previousKeyFile: values['previous-key-file'] ?? null, batchSize }, (text) => process.stdout.write(text));
      return;
    }
    case 'demo': {
      const { DEMO_SHOP, startSimulators, ensureDemoWorkspace, useSimulators } = await import('../sandbox/sandbox.js');
      const text = await runDemoOrder(config, { demoShop: DEMO_SHOP, startSimulators, ensureDemoWorkspace, useSimulators, createHub, tempDataDir });
      process.stdout.write(text + '\n');
      return;
    }
    default:
      fail(`unknown command ${command}\n\n${usage}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) fail(err.message);
  const message = err instanceof Error ? err.message : String(err);
  fail(`shoptalk: ${message}`);
});
