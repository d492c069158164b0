/**
 * `letterpress init`: a new letter project in any folder, from the starters shipped in the
 * package (starters/LANG.md, starters/signatories.yaml, starters/gitignore). The project gets no
 * copy of the built-in templates: the letter names its language and letterpress finds the
 * template, so updating letterpress never conflicts with the project's files.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VFile } from 'vfile';
import { BuildError, reportError } from '../diagnostics/index.js';
import { today } from '../model/types.js';

export const INIT_LANGUAGES = ['zh-CN', 'zh-TW', 'en', 'ko', 'ja'] as const;
export type InitLanguage = (typeof INIT_LANGUAGES)[number];

const startersDir = fileURLToPath(new URL('../../starters/', import.meta.url));

/**
 * Write letter.md, signatories.yaml and .gitignore into `folder` (made if missing) and return
 * their paths. If any of them is there already, nothing is written: a BuildError names each one.
 */
export async function initProject(folder: string, lang: InitLanguage, date: string = today()): Promise<string[]> {
  const files: Array<{ name: string; starter: string }> = [
    { name: 'letter.md', starter: `${lang}.md` },
    { name: 'signatories.yaml', starter: 'signatories.yaml' },
    { name: '.gitignore', starter: 'gitignore' },
  ];
  const display = (name: string) => path.relative(process.cwd(), path.join(folder, name)) || name;
  const existing = files.filter((f) => existsSync(path.join(folder, f.name)));
  if (existing.length > 0) {
    const reports = existing.map((f) => {
      const file = new VFile({ path: display(f.name) });
      reportError(file, 'This file is there already; `letterpress init` writes nothing over existing files. Choose an empty folder (letterpress init NEW-FOLDER), or move the file away.', undefined, 'init-exists');
      return file;
    });
    throw new BuildError(reports);
  }
  const texts = await Promise.all(files.map(async (f) => (await readFile(path.join(startersDir, f.starter), 'utf8')).replaceAll('{date}', date)));
  await mkdir(folder, { recursive: true });
  const created: string[] = [];
  for (const [index, f] of files.entries()) {
    const target = path.join(folder, f.name);
    // `wx`: fail rather than replace a file that appeared since the check above.
    await writeFile(target, texts[index] ?? '', { flag: 'wx' });
    created.push(target);
  }
  return created;
}
