/**
 * The shape of src/ as a test: no import cycle, and no import across the walls of
 * docs/architecture.md §2. It parses every file with the TypeScript compiler API (no plugin needed) and
 * resolves relative specifiers the way NodeNext does (`./x.js` → `./x.ts`).
 *
 * Type-only imports count. They vanish at run time, so they cannot break module initialisation, but
 * they are still an arrow a reader must follow: a cycle of types means no file of it can be read
 * first, and a type from a private file of another surface is a dependency on that file's shape.
 *
 * The two lists of known debt below are a ratchet: an entry that no longer occurs fails the test, so
 * whoever removes the debt also removes the line. eslint.config.js carries the same walls (and the
 * same exceptions) for the editor; this test is the gate for cycles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

/** Cycles that exist today, each as its sorted member files. */
const KNOWN_CYCLES: string[][] = [];

/** Wall crossings that exist today: `from → to`. Same list as eslint.config.js. */
const KNOWN_CROSSINGS: string[] = [
  // None: every wall holds. A crossing added here must say why, and be listed in eslint.config.js too.
];

/**
 * The walls: a file under `from` may not import a file under any of `not` (paths relative to src/;
 * `''` is every file), except the files of `except` and those under `exceptUnder`.
 */
const WALLS: { from: string; not: string[]; except?: string[]; exceptUnder?: string }[] = [
  // The domain is the floor: it imports nothing of src/ but itself.
  { from: 'domain/', not: [''], exceptUnder: 'domain/' },
  // The sent-messages sink stands alone: kapi records into it, the control plane reads it.
  { from: 'messages/', not: [''], exceptUnder: 'messages/' },
  { from: 'store/', not: ['kauth/', 'kapi/', 'control/', 'http/'] },
  { from: 'kakao/', not: ['kauth/', 'kapi/', 'control/'] },
  // HTTP infrastructure (the error boundary, pages, bodies) serves the surfaces; it knows none of them.
  { from: 'http/', not: ['kauth/', 'kapi/', 'control/'] },
  { from: 'kapi/', not: ['kauth/'] },
  { from: 'kauth/', not: ['kapi/'] },
  // Control sees kauth and kapi through their faces only.
  { from: 'control/', not: ['kauth/', 'kapi/'], except: ['kauth/index.ts', 'kapi/index.ts'] },
  // Sandboxes (docs/architecture.md §5): wired by app.ts, imported by no folder; they reach the
  // surfaces through their faces.
  ...['domain/', 'config/', 'store/', 'kakao/', 'http/', 'kapi/', 'kauth/', 'control/', 'webhooks/'].map((from) => ({ from, not: ['sandbox/'] })),
  { from: 'sandbox/', not: ['kauth/', 'kapi/', 'control/'], except: ['kauth/index.ts', 'kapi/index.ts', 'control/index.ts'] },
];

const rel = (abs: string): string => relative(ROOT, abs).split(sep).join('/');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every module specifier a file names: static, re-export, `import type`, `import()` and `import('x').T`. */
function specifiers(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      out.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      out.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The src/ file a relative specifier names, or undefined for packages and non-TypeScript files. */
function resolveSpecifier(from: string, spec: string, known: Set<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const abs = resolve(dirname(from), spec);
  for (const candidate of [abs.replace(/\.js$/, '.ts'), abs, `${abs}.ts`, join(abs, 'index.ts')]) {
    if (known.has(candidate)) return candidate;
  }
  return undefined;
}

function importGraph(): Map<string, string[]> {
  const files = sourceFiles(SRC);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const targets = specifiers(f).map((s) => resolveSpecifier(f, s, known)).filter((t): t is string => t !== undefined);
    graph.set(rel(f), [...new Set(targets.map(rel))]);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

function crossings(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const f = from.slice('src/'.length);
    for (const wall of WALLS.filter((w) => f.startsWith(w.from))) {
      for (const to of targets) {
        const t = to.slice('src/'.length);
        if (wall.not.some((n) => t.startsWith(n)) && !wall.except?.includes(t) && !(wall.exceptUnder !== undefined && t.startsWith(wall.exceptUnder))) out.push(`${from} → ${to}`);
      }
    }
  }
  return out.sort();
}

describe('src/ imports', () => {
  const graph = importGraph();

  it('reads the whole tree (the parser finds imports)', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('src/app.ts')?.length).toBeGreaterThan(5);
  });

  it('has no import cycle beyond the known ones (type-only imports included)', () => {
    const key = (c: string[]): string => c.join(' ↔ ');
    const found = cycles(graph).map(key);
    const known = KNOWN_CYCLES.map((c) => key([...c].sort()));
    expect(found.filter((c) => !known.includes(c)), 'new import cycle(s): cut them (docs/architecture.md §2)').toEqual([]);
    expect(known.filter((c) => !found.includes(c)), 'a known cycle is gone: delete its line from KNOWN_CYCLES').toEqual([]);
  });

  it('crosses no wall beyond the known exceptions', () => {
    const found = crossings(graph);
    expect(found.filter((c) => !KNOWN_CROSSINGS.includes(c)), 'import across a wall (docs/architecture.md §2)').toEqual([]);
    expect(KNOWN_CROSSINGS.filter((c) => !found.includes(c)), 'a known crossing is gone: delete its line here and in eslint.config.js').toEqual([]);
  });

  it('imports the Redis client only in src/store/redis/ (docs/storage.md §10), and only lazily', () => {
    const importers = sourceFiles(SRC).filter((file) => specifiers(file).some((spec) => spec === 'redis' || spec.startsWith('@redis/')));
    expect(importers.map(rel)).toEqual(['src/store/redis/client.ts']);
    // A static import would load node-redis with every embedded store too.
    expect(readFileSync(join(SRC, 'store/redis/client.ts'), 'utf8')).not.toMatch(/^import [^;]*from 'redis'/m);
  });

  it('would catch a cycle and a crossing (the checks themselves)', () => {
    const g = new Map([
      ['src/a.ts', ['src/b.ts']],
      ['src/b.ts', ['src/c.ts']],
      ['src/c.ts', ['src/a.ts']],
      ['src/store/x.ts', ['src/kapi/y.ts']],
      ['src/control/z.ts', ['src/kauth/index.ts', 'src/kauth/mint.ts']],
      ['src/domain/m.ts', ['src/domain/s.ts', 'src/clock.ts']],
    ]);
    expect(cycles(g)).toEqual([['src/a.ts', 'src/b.ts', 'src/c.ts']]);
    expect(crossings(g)).toEqual(['src/control/z.ts → src/kauth/mint.ts', 'src/domain/m.ts → src/clock.ts', 'src/store/x.ts → src/kapi/y.ts']);
  });
});
