/**
 * The import graph of a source folder, read the way TypeScript reads it
 * (ts.preProcessFile: static, type-only, re-exports and dynamic imports), and
 * its cycles. Relative specifiers resolve as the project writes them: `.js`
 * names the `.ts`/`.tsx` source, a folder means its index file. Package
 * imports and non-code files (styles, assets) are not edges.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SOURCE = /\.(?:ts|tsx|mts)$/;
const CODE_SPECIFIER = /(?:\.[cm]?[jt]sx?|\/|^\.{1,2}|\/[^./]+)$/;

export interface ImportGraph {
  /** file -> the files it imports, paths relative to the root given */
  readonly edges: ReadonlyMap<string, readonly string[]>;
  /** relative code specifiers that name no file: "from: specifier" */
  readonly unresolved: readonly string[];
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** The source file a relative specifier names, or null. */
export function resolveSpecifier(fromFile: string, specifier: string): string | null {
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.[cm]?js$/, '');
  const candidates = [
    base,
    ...['.ts', '.tsx', '.mts'].map((ext) => stem + ext),
    ...['.ts', '.tsx'].map((ext) => join(base, `index${ext}`)),
  ];
  return candidates.find((candidate) => SOURCE.test(candidate) && isFile(candidate)) ?? null;
}

export function importGraph(root: string): ImportGraph {
  const edges = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of sourceFiles(root)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName: specifier } of info.importedFiles) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveSpecifier(file, specifier);
      if (target) targets.add(relative(root, target));
      else if (CODE_SPECIFIER.test(specifier))
        unresolved.push(`${relative(root, file)}: ${specifier}`);
    }
    edges.set(relative(root, file), [...targets].sort());
  }
  return { edges, unresolved };
}

export interface ImportCycle {
  /** every file of the tangle (a strongly connected component), sorted */
  readonly files: readonly string[];
  /** one closed path through it, its first file repeated at the end */
  readonly path: readonly string[];
}

/**
 * Every import cycle, one per strongly connected component (Tarjan), so a
 * tangle of many files is one finding that names them all.
 */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): ImportCycle[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of edges.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfImport = edges.get(node)?.includes(node) ?? false;
    if (component.length > 1 || selfImport) components.push(component);
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => ({
    files: component.sort(),
    path: closedPath(edges, new Set(component)),
  }));
}

/** One closed path through a component, found breadth-first from its first file. */
function closedPath(
  edges: ReadonlyMap<string, readonly string[]>,
  members: ReadonlySet<string>,
): string[] {
  const start = [...members].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of edges.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== start && at; at = cameFrom.get(at)) {
          path.splice(1, 0, at);
        }
        return [...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}
