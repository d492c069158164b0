/**
 * The path policy of every command (build, watch, check, signatories): a path named by the letter
 * or by a template is resolved against the folder it was written in, then through `realpath`
 * (symlinks followed), and refused unless the result lies inside the project root. The project
 * root is the letter's folder (see README "Where files may be"); the built-in templates' root is
 * letterpress's own folder; a font named by `package:` must stay inside that package's folder.
 */
import { readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** `realpath` of the longest existing prefix of `p`, with the rest appended (a file not yet there). */
export function realpathLoose(p: string): string {
  const absolute = path.resolve(p);
  const rest: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return path.join(realpathSync(current), ...rest.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return absolute;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

/** Whether `child` is `root` or lies below it (both already resolved). */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export type Contained = { path: string } | { error: string };

/**
 * Resolve `ref` (relative to `base`) and keep it only if it stays inside `root`, after following
 * symlinks. The returned path is the real one (edit or read the target, never the link).
 */
export function resolveContained(root: string, base: string, ref: string, what: string, rootName = "the letter's folder"): Contained {
  const realRoot = realpathLoose(root);
  const lexical = path.resolve(base, ref);
  const real = realpathLoose(lexical);
  if (!isInside(realRoot, real)) {
    const via = isInside(realRoot, realpathLoose(path.dirname(lexical))) && lexical !== real ? ` (it is a symbolic link to ${real})` : '';
    return { error: `${what} "${ref}" lies outside ${rootName}${via}; keep it inside ${rootName}.` };
  }
  return { path: real };
}

/** The project root of a letter: its folder, symlinks resolved. */
export function projectRoot(letterPath: string): string {
  return realpathLoose(path.dirname(path.resolve(letterPath)));
}

/** A path as messages name it: relative to the working folder (the path itself when that is empty). */
export function shownPath(p: string): string {
  return path.relative(process.cwd(), p) || p;
}

/** A path as a message shows it: relative to the working folder when it is inside it, else whole. */
export function shownIfInside(p: string): string {
  const relative = path.relative(process.cwd(), p);
  const outside = relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  return relative && !outside ? relative : p;
}

/**
 * The names of the files in `dir` that `accept` takes, sorted, for a message that offers them
 * (a mistyped file name); none when the folder cannot be listed (the message then says only that
 * the file is missing).
 */
export function filesBeside(dir: string, accept: (name: string) => boolean): string[] {
  try {
    return readdirSync(dir).filter(accept).sort();
  } catch {
    return [];
  }
}
