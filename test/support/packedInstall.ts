/**
 * The package as a user gets it: `npm pack`, then the tarball installed into an empty folder
 * outside the repository, offline from the npm cache, with `npm ci` over a lockfile made from
 * the repository's (the exact dependency versions, so no registry metadata is needed).
 *
 * Two shortcuts keep it cheap. The font packages (~370 MB of TTF, no dependencies, no scripts)
 * are linked to the repository's copies instead of unpacked again. The other dependencies are
 * installed once per lockfile and Node version and kept; later runs start from a hard-linked copy
 * of them without letterpress and `npm install` this run's tarball into it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
  // Every dependency but letterpress itself is installed once per lockfile and kept (hard links)
  // for the next runs, which reinstall only the fresh tarball: `npm install` with the lockfile
  // changes what differs from node_modules, and the tarball always differs.
  const { [`node_modules/${pkg.name}`]: _own, ...dependencies } = packages;
  const key = createHash('sha256').update(JSON.stringify([process.version, dependencies])).digest('hex').slice(0, 16);
  // In the repository's node_modules/.cache (a run's temporary folder is removed after it; a new
  // `npm ci` clears this one). Never an ancestor of `dir`: Node would find packages there.
  const cache = path.join(repo, 'node_modules', '.cache', `letterpress-packed-deps-${key}`);
  const copyTree = (from: string, to: string) => {
    try {
      execFileSync('cp', ['-al', from, to], { stdio: 'ignore' }); // hard links: instant
    } catch {
      rmSync(to, { recursive: true, force: true });
      execFileSync('cp', ['-a', from, to]); // another file system
    }
  };
  const npm = (args: string[]): string => {
    const run = spawnSync('npm', [...args, '--offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${dir}:\n${run.stderr}`);
    return `${run.stdout}${run.stderr}`;
  };
  let output: string;
  if (existsSync(path.join(cache, 'node_modules'))) {
    copyTree(path.join(cache, 'node_modules'), path.join(dir, 'node_modules'));
    // npm takes a file: dependency of the same version for installed whatever its hash: remove
    // the kept letterpress (and npm's record of it) so that this run's tarball is installed.
    rmSync(path.join(dir, 'node_modules', pkg.name), { recursive: true, force: true });
    rmSync(path.join(dir, 'node_modules', '.package-lock.json'), { force: true });
    output = npm(['install']);
  } else {
    output = npm(['ci']);
    const staging = `${cache}.${process.pid}.tmp`;
    mkdirSync(staging, { recursive: true });
    copyTree(path.join(dir, 'node_modules'), path.join(staging, 'node_modules'));
    try {
      renameSync(staging, cache);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another run kept one first
    }
  }
  return { dir, bin: path.join(dir, 'node_modules', '.bin', 'letterpress'), output, timings: { packMs, installMs: Date.now() - started } };
}
