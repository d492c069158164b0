/**
 * The package as a user gets it: `npm pack`, then the tarball installed into an empty folder
 * outside the repository, offline from the npm cache, with `npm install` over a lockfile made from
 * the repository's (the exact dependency versions, so no registry metadata is needed).
 *
 * One shortcut keeps it cheap: the dependencies are not unpacked again. The font packages (~370 MB
 * of TTF, no dependencies, no scripts) are linked to the repository's copies; the others are
 * hard-linked from the repository's node_modules, which its `npm ci` filled from the same lockfile
 * at the same paths. `npm install` then installs the tarball, the one package that differs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

const LINKED = /^@expo-google-fonts\//;

/** The lock entries a production install of the repository needs, by their paths (walked from its dependencies). */
function productionEntries(lock: { packages: Record<string, LockEntry> }, roots: string[]): Map<string, LockEntry> {
  const found = new Map<string, LockEntry>();
  const resolve = (from: string, name: string): string | undefined => {
    for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
      const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (lock.packages[key]) return key;
      if (!dir) return undefined;
    }
  };
  const queue = roots.map((name) => resolve('', name)).filter((k): k is string => k !== undefined);
  while (queue.length > 0) {
    const key = queue.pop() as string;
    if (found.has(key)) continue;
    const entry = lock.packages[key] as LockEntry;
    found.set(key, entry);
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) {
      const next = resolve(key, name);
      if (next) queue.push(next);
    }
  }
  return found;
}

export interface PackedProject {
  /** The empty folder the package was installed into. */
  dir: string;
  /** Its `letterpress` command (node_modules/.bin). */
  bin: string;
  /** What npm printed while installing (its warnings included). */
  output: string;
  timings: { packMs: number; installMs: number };
}

/** A copy of the folder `from` at `to` made of hard links (instant), or of copies on another file system. */
function linkTree(from: string, to: string): void {
  try {
    execFileSync('cp', ['-al', from, to], { stdio: 'ignore' });
  } catch {
    rmSync(to, { recursive: true, force: true });
    execFileSync('cp', ['-a', from, to]);
  }
}

/** Pack `repo` and install the tarball into `dir`, an empty folder outside the repository. */
export function installPacked(repo: string, dir: string): PackedProject {
  let started = Date.now();
  // Compiled already (`npm test` compiles first): no prepack run.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
  const packMs = Date.now() - started;
  const tarball = path.join(dir, filename);
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string>; bin: Record<string, string>; engines: Record<string, string>; license: string; bundleDependencies?: string[] };
  const lock = JSON.parse(readFileSync(path.join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, LockEntry> = {
    '': { name: 'packed-test', dependencies: { [pkg.name]: `file:${filename}` } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: `file:${filename}`,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
      ...(pkg.bundleDependencies ? { bundleDependencies: pkg.bundleDependencies } : {}),
    },
  };
  // Bundled dependencies come inside the tarball (docx with the nanoid it works with on Node 20).
  const bundled = productionEntries(lock, pkg.bundleDependencies ?? []);
  for (const [key, entry] of bundled) {
    const { dev: _dev, ...rest } = entry;
    packages[`node_modules/${pkg.name}/${key}`] = { ...rest, inBundle: true };
  }
  const unbundled = Object.keys(pkg.dependencies).filter((name) => !(pkg.bundleDependencies ?? []).includes(name));
  for (const [key, entry] of productionEntries(lock, unbundled)) {
    const { dev: _dev, ...rest } = entry;
    if (LINKED.test(key.slice('node_modules/'.length))) {
      const target = path.join(repo, key);
      packages[key] = { resolved: path.relative(dir, target), link: true };
      packages[path.relative(dir, target)] = { version: entry.version, license: entry.license };
    } else packages[key] = rest;
  }
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'packed-test', private: true, dependencies: { [pkg.name]: `file:${filename}` } }, null, 2)}\n`);
  writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'packed-test', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  started = Date.now();
  // Every dependency but letterpress itself is there already, installed by the repository's own
  // `npm ci` from the same lockfile at the same paths: it is hard-linked from there, and
  // `npm install` with the lockfile installs what differs from node_modules — the tarball alone.
  for (const key of Object.keys(packages)) {
    const entry = packages[key] as LockEntry;
    if (key === `node_modules/${pkg.name}` || entry.link || !/^node_modules\/(@[^/]+\/)?[^/]+$/.test(key)) continue;
    if (!existsSync(path.join(repo, key))) continue; // an optional package for another platform
    mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
    linkTree(path.join(repo, key), path.join(dir, key));
  }
  const run = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`npm install failed in ${dir}:\n${run.stderr}`);
  const output = `${run.stdout}${run.stderr}`;
  return { dir, bin: path.join(dir, 'node_modules', '.bin', 'letterpress'), output, timings: { packMs, installMs: Date.now() - started } };
}
