// npm run architecture (part of npm run check): the import rules between the top-level folders of src, and no
// cycles between them. Exits 1 with the list of offending imports.
//
// The layers, and what each may import besides itself:
//   config    nothing; of adapters only the provider registry (src/adapters/registry.ts), where each provider
//             declares its base-URL setting. The one validated config object.
//   core      nothing. Domain modules and the ports they own (jobs, repositories, channels, stores, sandbox
//             phone); no HTTP, SQL, queue or provider code, and config comes in as arguments. Packages: only
//             the pure ones in CORE_PACKAGES.
//   storage   core, config, tracing. Kysely, migrations, repositories, the transactional outbox.
//   queue     core, storage, config. The drivers of the core's JobQueue port.
//   adapters  core. One folder per provider, implementing the core's channel and store ports. (Config reads the
//             registry, which imports the adapters and the core: neither may import config.)
//   http      core, config, logger, tracing; of storage only constraint-errors.ts (database constraint violations
//             become 409s); of adapters only the provider registry.
//   logger    core, config (src/logger.ts).
//   tracing   core (src/tracing.ts): the optional OpenTelemetry spans; storage keeps the trace context on the job
//             rows it writes, http and the app open spans, the cli starts the exporter.
//   app       every layer above: src/app.ts wires them together. Never the sandbox.
//   sandbox   core, config, logger, adapters, app: src/sandbox and the simulators (src/adapters/**/simulator.ts,
//             which live beside their adapter but are sandbox code). Only the sandbox may import smtp-server.
//   cli       app, core, config, storage, logger, tracing; the sandbox only through `import type` or a dynamic import
//             (behind --sandbox), so a production start loads no simulator.
// Tests (*.test.ts) may import anything. Type-only imports count like any other, except where said.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export type Layer = 'config' | 'core' | 'storage' | 'queue' | 'adapters' | 'http' | 'logger' | 'tracing' | 'app' | 'sandbox' | 'cli';

const MAY_IMPORT: Record<Layer, Layer[]> = {
  config: [],
  core: [],
  storage: ['core', 'config', 'tracing'],
  queue: ['core', 'storage', 'config'],
  adapters: ['core'],
  http: ['core', 'config', 'logger', 'tracing'],
  logger: ['core', 'config'],
  tracing: ['core'],
  app: ['core', 'config', 'storage', 'queue', 'adapters', 'http', 'logger', 'tracing'],
  sandbox: ['core', 'config', 'logger', 'adapters', 'app'],
  cli: ['app', 'core', 'config', 'storage', 'logger', 'tracing'],
};

/** Imports a layer may make only as `import type` or `import()`: never loaded at start-up. */
const TYPE_OR_DYNAMIC_ONLY: Partial<Record<Layer, Layer[]>> = {
  cli: ['sandbox'],
};

/** Single files of another layer a layer may import, with the reason. */
const FILE_EXCEPTIONS: Array<{ from: Layer; file: string; why: string }> = [
  { from: 'http', file: 'src/storage/constraint-errors.ts', why: 'database constraint violations become 409s' },
  { from: 'http', file: 'src/adapters/registry.ts', why: 'routes and webhook routes are made from the provider registry' },
  { from: 'config', file: 'src/adapters/registry.ts', why: 'each provider declares its base-URL setting in the registry' },
];

/** The packages the core may use: pure libraries, no I/O. */
const CORE_PACKAGES = ['zod', 'liquidjs', 'libphonenumber-js', 'node:crypto'];
/** Packages only one layer may use. */
const PACKAGE_OWNERS: Record<string, Layer> = { 'smtp-server': 'sandbox' };

export type ImportKind = 'static' | 'type' | 'dynamic';

export interface ImportEdge {
  /** The importing file, relative to the project root. */
  file: string;
  line: number;
  specifier: string;
  kind: ImportKind;
  from: Layer;
  /** The imported layer, for a file of src; null for a package or a file outside src. */
  to: Layer | null;
  /** The imported file relative to the project root, or the package name. */
  target: string;
}

export interface Violation {
  edge: ImportEdge;
  rule: string;
}

export interface ArchitectureReport {
  edges: ImportEdge[];
  violations: Violation[];
  /** Cycles between layers, each as the layers in order, the first repeated at the end. */
  cycles: Layer[][];
}

/** The layer of a file of src (path relative to src, with forward slashes); null for tests. */
export function layerOf(srcPath: string): Layer | null {
  if (/\.test\.tsx?$/.test(srcPath)) return null;
  const parts = srcPath.split('/');
  if (parts.length === 1) {
    if (parts[0] === 'app.ts') return 'app';
    if (parts[0] === 'logger.ts') return 'logger';
    if (parts[0] === 'tracing.ts') return 'tracing';
    throw new Error(`src/${srcPath}: a file at the top of src has no layer; add it to scripts/check-architecture.ts`);
  }
  const top = parts[0]!;
  if (top === 'adapters' && parts.at(-1) === 'simulator.ts') return 'sandbox';
  if (top in MAY_IMPORT) return top as Layer;
  throw new Error(`src/${top}: a folder with no layer; add it to scripts/check-architecture.ts`);
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Every import, re-export and dynamic import of a file, with its kind. */
function importsOf(text: string, fileName: string): Array<{ specifier: string; kind: ImportKind; line: number }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: Array<{ specifier: string; kind: ImportKind; line: number }> = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly)));
      found.push({ specifier: node.moduleSpecifier.text, kind: typeOnly ? 'type' : 'static', line: lineOf(node) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const typeOnly = node.isTypeOnly || (!!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly));
      found.push({ specifier: node.moduleSpecifier.text, kind: typeOnly ? 'type' : 'static', line: lineOf(node) });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ specifier: node.moduleReference.expression.text, kind: node.isTypeOnly ? 'type' : 'static', line: lineOf(node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) found.push({ specifier: arg.text, kind: 'dynamic', line: lineOf(node) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, kind: 'type', line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function packageName(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The file a relative specifier names: `./x.js` is `./x.ts` in the source tree. */
function resolveRelative(fromFile: string, specifier: string): string {
  const target = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), target, `${target}.ts`, path.join(target, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return target.replace(/\.js$/, '.ts');
}

function findCycles(edges: ImportEdge[]): Layer[][] {
  const graph = new Map<Layer, Set<Layer>>();
  for (const e of edges) if (e.to && e.to !== e.from) (graph.get(e.from) ?? graph.set(e.from, new Set()).get(e.from)!).add(e.to);
  const cycles: Layer[][] = [];
  const seen = new Set<string>();
  // Small graph (ten layers): a depth-first walk from every layer, each cycle reported once.
  const walk = (start: Layer, at: Layer, trail: Layer[]) => {
    for (const next of graph.get(at) ?? []) {
      if (next === start) {
        const key = [...trail].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...trail, start]);
        }
      } else if (!trail.includes(next) && next > start) walk(start, next, [...trail, next]);
    }
  };
  for (const layer of [...graph.keys()].sort()) walk(layer, layer, [layer]);
  return cycles;
}

/** Reads every file under `<root>/src` and checks its imports against the rules above. */
export function checkArchitecture(root: string): ArchitectureReport {
  const srcDir = path.join(root, 'src');
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');
  const edges: ImportEdge[] = [];
  const violations: Violation[] = [];
  for (const file of sourceFiles(srcDir)) {
    const from = layerOf(path.relative(srcDir, file).split(path.sep).join('/'));
    if (!from) continue;
    for (const imp of importsOf(fs.readFileSync(file, 'utf8'), file)) {
      const relative = imp.specifier.startsWith('.');
      let to: Layer | null = null;
      let target: string;
      if (relative) {
        const resolved = resolveRelative(file, imp.specifier);
        target = rel(resolved);
        const inSrc = path.relative(srcDir, resolved);
        if (!inSrc.startsWith('..')) to = layerOf(inSrc.split(path.sep).join('/'));
        if (inSrc.startsWith('..')) {
          const edge: ImportEdge = { file: rel(file), line: imp.line, specifier: imp.specifier, kind: imp.kind, from, to: null, target };
          edges.push(edge);
          violations.push({ edge, rule: `${from} imports a file outside src` });
          continue;
        }
      } else target = packageName(imp.specifier);
      const edge: ImportEdge = { file: rel(file), line: imp.line, specifier: imp.specifier, kind: imp.kind, from, to, target };
      edges.push(edge);

      if (!relative) {
        const owner = PACKAGE_OWNERS[target];
        if (owner && owner !== from) violations.push({ edge, rule: `only ${owner} may import ${target}` });
        else if (from === 'core' && !CORE_PACKAGES.includes(target)) {
          violations.push({ edge, rule: `core imports only ${CORE_PACKAGES.join(', ')} (no I/O, SQL, HTTP or provider packages)` });
        }
        continue;
      }
      if (!to || to === from || MAY_IMPORT[from].includes(to)) continue;
      if (FILE_EXCEPTIONS.some((x) => x.from === from && x.file === target)) continue;
      if (TYPE_OR_DYNAMIC_ONLY[from]?.includes(to)) {
        if (imp.kind !== 'static') continue;
        violations.push({ edge, rule: `${from} imports ${to} only with \`import type\` or a dynamic import()` });
        continue;
      }
      violations.push({ edge, rule: `${from} may not import ${to} (${from} may import: ${MAY_IMPORT[from].join(', ') || 'nothing outside itself'})` });
    }
  }
  return { edges, violations, cycles: findCycles(edges) };
}

/** The report as text: one line per offending import, then each cycle with an import on each of its steps. */
export function formatReport(report: ArchitectureReport): string {
  const lines: string[] = [];
  for (const v of report.violations) {
    lines.push(`${v.edge.file}:${v.edge.line}: ${v.edge.kind === 'static' ? 'imports' : v.edge.kind === 'type' ? 'imports the types of' : 'dynamically imports'} ${v.edge.specifier} — ${v.rule}`);
  }
  for (const cycle of report.cycles) {
    lines.push(`cycle between layers: ${cycle.join(' → ')}`);
    for (let i = 0; i < cycle.length - 1; i++) {
      const step = report.edges.find((e) => e.from === cycle[i] && e.to === cycle[i + 1])!;
      lines.push(`  ${cycle[i]} → ${cycle[i + 1]}: ${step.file}:${step.line} imports ${step.specifier}`);
    }
  }
  return lines.join('\n');
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  // The project root: this repository, or another tree given as the argument (the script's test uses one).
  const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..'));
  const report = checkArchitecture(root);
  if (report.violations.length > 0 || report.cycles.length > 0) {
    console.error(`Architecture check failed: ${report.violations.length} forbidden import(s), ${report.cycles.length} cycle(s) between layers (rules at the top of scripts/check-architecture.ts).`);
    console.error(formatReport(report));
    process.exit(1);
  }
  console.log(`Architecture check: ${report.edges.length} imports follow the layer rules; no cycles between layers.`);
}
