/**
 * A letter project as a user keeps it: a template that extends a built-in one, front-matter
 * fields shared by the language editions (letter.yaml), `build` with no argument, `watch` of
 * several letters, `init`, and the library API's results as data. In-process, text and HTML
 * editions mostly (cheap), one PDF to see a template change where it shows.
 */
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLetter, initProject, loadLetter, formatDiagnostics, writeLetter } from '../src/api/index.js';
import { runCli } from '../src/cli/program.js';
import { watchLetters } from '../src/cli/watch.js';
import type { BuildResult } from '../src/build/build.js';
import { root, scratch } from './helpers.js';


/** A folder with the English and Korean example letters and their shared signatory file. */
function project(): string {
  const dir = scratch('letterpress-project-');
  for (const f of ['letter.en.md', 'letter.ko.md', 'signatories.yaml']) cpSync(path.join(root, 'examples', f), path.join(dir, f));
  return dir;
}

function collect() {
  const text = { out: '', err: '' };
  return { text, io: (cwd: string) => ({ cwd, stdout: { write: (s: string) => (text.out += s) }, stderr: { write: (s: string) => (text.err += s) } }) };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('a template that extends a built-in one', () => {
  it('a rebuild finds an en.yaml put beside a template that extends en (the kept chain is not reused)', async () => {
    const dir = project();
    const letter = path.join(dir, 'letter.en.md');
    writeFileSync(letter, readFileSync(letter, 'utf8').replace(/^template: en$/m, 'template: house.yaml'));
    writeFileSync(path.join(dir, 'house.yaml'), 'extends: en\ntype:\n  bodySize: 14\n');
    const load = async () => {
      const loaded = await loadLetter(letter);
      if (!loaded.ok) throw new Error(formatDiagnostics(loaded.diagnostics));
      return loaded.letter;
    };
    expect((await load()).document.template.labels.cc).toBe('Cc');
    // The project's own en.yaml, beside house.yaml, is looked up before the built-in one.
    writeFileSync(path.join(dir, 'en.yaml'), 'extends: en\nlabels:\n  cc: Copy to\n');
    const second = await load();
    expect(second.document.template.labels.cc).toBe('Copy to');
    expect(second.inputs.templates.slice(0, 2).map((t) => path.basename(t))).toEqual(['house.yaml', 'en.yaml']);
    expect(second.inputs.templates).toHaveLength(3);
  });

  it('builds with only the values that differ, and the change shows', async () => {
    const dir = project();
    const letter = path.join(dir, 'letter.en.md');
    writeFileSync(letter, readFileSync(letter, 'utf8').replace(/^template: en$/m, 'template: house'));
    writeFileSync(path.join(dir, 'house.yaml'), '# our house style\nextends: en\nlabels:\n  subject: "Regarding"\ntype:\n  bodySize: 14\n');
    // A .yaml path or a name in templates/: both find it.
    writeFileSync(letter, readFileSync(letter, 'utf8').replace(/^template: house$/m, 'template: house.yaml'));
    const built = await buildLetter(letter, { formats: ['txt', 'html'] });
    expect(built.ok, formatDiagnostics(built.diagnostics)).toBe(true);
    if (!built.ok) return;
    const text = new TextDecoder().decode(built.editions.txt);
    expect(text).toMatch(/^Regarding: Forced repatriation/m);
    expect(text).not.toMatch(/^Re: /m);
    // Everything else is the built-in en template's: the Cc label, the heading of the list.
    expect(text).toMatch(/^Cc:/m);
    expect(built.letter.document.template.type.bodySize).toBe(14);
    expect(built.letter.document.template.type.lineHeight).toBeGreaterThan(1);
    expect(built.letter.inputs.templates.map((t) => path.basename(t))).toEqual(['house.yaml', 'en.yaml']);
    // …and in the PDF, set at 14 pt instead of the built-in size.
    const house = await buildLetter(letter, { formats: ['pdf'] });
    if (!house.ok) throw new Error('build failed');
    const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const firstBodySize = async (data: Uint8Array) => {
      const pdf = await getDocument({ data: data.slice(), useSystemFonts: false }).promise;
      const content = await (await pdf.getPage(1)).getTextContent();
      const item = content.items.find((i) => 'str' in i && i.str.startsWith('We,'));
      return item && 'transform' in item ? Math.abs(item.transform[3] as number) : 0;
    };
    expect(await firstBodySize(house.editions.pdf as Uint8Array)).toBeCloseTo(14, 1);
    expect(readFileSync(path.join(root, 'templates', 'en.yaml'), 'utf8')).not.toMatch(/bodySize: 14\b/);
  });

  it('keeps a base template\'s own font files when a template in another folder extends it', async () => {
    const dir = scratch('letterpress-project-');
    mkdirSync(path.join(dir, 'templates'));
    mkdirSync(path.join(dir, 'fonts'));
    writeFileSync(path.join(dir, 'fonts', 'house.ttf'), '');
    // templates/house.yaml names ../fonts/house.ttf from its own folder; special.yaml in the project folder extends it.
    writeFileSync(path.join(dir, 'templates', 'house.yaml'), 'extends: en\nfonts:\n  serif:\n    - name: House Serif\n      file: ../fonts/house.ttf\n');
    writeFileSync(path.join(dir, 'special.yaml'), 'extends: templates/house.yaml\nlabels:\n  subject: Regarding\n');
    const { loadTemplate } = await import('../src/load/template.js');
    const { entryFiles } = await import('../src/fonts/fontChain.js');
    const template = await loadTemplate(path.join(dir, 'special.yaml'), dir);
    const [entry] = template.fonts.serif;
    if (!entry) throw new Error('no font entry');
    expect(entryFiles(entry, template.sourcePath).regular).toBe(path.join(dir, 'fonts', 'house.ttf'));
  });

  it('reports a wrong value on the line of the extending template that wrote it, and a bad extends at its line', async () => {
    const dir = project();
    const letter = path.join(dir, 'letter.en.md');
    writeFileSync(letter, readFileSync(letter, 'utf8').replace(/^template: en$/m, 'template: house'));
    mkdirSync(path.join(dir, 'templates'));
    const house = 'extends: en\nlabels:\n  subject: Regarding\ntype:\n  bodySize: big\n  bodySise: 12\n';
    writeFileSync(path.join(dir, 'templates', 'house.yaml'), house);
    const failed = await loadLetter(letter);
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.diagnostics).toContainEqual(expect.objectContaining({ file: expect.stringMatching(/templates[/\\]house\.yaml$/), line: 5, severity: 'error', rule: 'template-schema' }));
    expect(failed.diagnostics).toContainEqual(expect.objectContaining({ line: 6, message: expect.stringContaining('unknown field `type.bodySise`') }));
    // Nothing is blamed on the built-in template.
    expect(failed.diagnostics.filter((d) => d.file.endsWith('en.yaml'))).toEqual([]);

    writeFileSync(path.join(dir, 'templates', 'house.yaml'), '# house\nextends: en-GB\n');
    const unknown = await loadLetter(letter);
    expect(unknown.ok).toBe(false);
    if (unknown.ok) return;
    expect(unknown.diagnostics).toEqual([expect.objectContaining({ line: 2, rule: 'template-extends', message: expect.stringContaining('no template "en-GB" to extend') })]);

    // A project's own templates/en.yaml that extends en means the built-in en, not itself.
    writeFileSync(letter, readFileSync(letter, 'utf8').replace(/^template: house$/m, 'template: en'));
    writeFileSync(path.join(dir, 'templates', 'en.yaml'), 'extends: en\nlabels:\n  cc: Copy to\n');
    const own = await buildLetter(letter, { formats: ['txt'] });
    expect(own.ok).toBe(true);
    if (own.ok) expect(new TextDecoder().decode(own.editions.txt)).toMatch(/^Copy to:/m);
    // Two templates that extend each other are refused.
    writeFileSync(path.join(dir, 'templates', 'en.yaml'), 'extends: house\n');
    writeFileSync(path.join(dir, 'templates', 'house.yaml'), 'extends: en\n');
    const circle = await loadLetter(letter);
    expect(circle.ok).toBe(false);
    if (!circle.ok) expect(circle.diagnostics[0]?.message).toMatch(/goes round in a circle/);
  });
});

describe('language editions sharing letter.yaml', () => {
  it('take shared fields from letter.yaml, their own fields winning, and errors point into letter.yaml', async () => {
    const dir = project();
    for (const f of ['letter.en.md', 'letter.ko.md']) {
      const p = path.join(dir, f);
      writeFileSync(p, readFileSync(p, 'utf8').replace(/^date: .*\n/m, '').replace(/^signatories: .*\n/m, ''));
    }
    writeFileSync(path.join(dir, 'letter.yaml'), '# fields every edition shares\ndate: 2024-03-01\nsignatories: signatories.yaml\n');
    const en = await buildLetter(path.join(dir, 'letter.en.md'), { formats: ['txt'] });
    const ko = await buildLetter(path.join(dir, 'letter.ko.md'), { formats: ['txt'] });
    expect(en.ok && ko.ok).toBe(true);
    if (!en.ok || !ko.ok) return;
    expect(new TextDecoder().decode(en.editions.txt)).toMatch(/^1 March 2024$/m);
    expect(new TextDecoder().decode(ko.editions.txt)).toContain('2024년 3월 1일');
    expect(en.letter.inputs.shared).toBe(path.join(dir, 'letter.yaml'));

    // A letter's own field replaces the shared one.
    const own = await buildLetter({ path: path.join(dir, 'letter.en.md'), text: readFileSync(path.join(dir, 'letter.en.md'), 'utf8').replace('lang: en', 'lang: en\ndate: 2024-04-02') }, { formats: ['txt'] });
    expect(own.ok && new TextDecoder().decode(own.editions.txt)).toMatch(/^2 April 2024$/m);

    // A rebuild after a date change in letter.yaml reports it, and the list as unchanged.
    expect((await writeLetter(path.join(dir, 'letter.en.md'), { formats: ['txt'] })).ok).toBe(true);
    writeFileSync(path.join(dir, 'letter.yaml'), '# fields every edition shares\ndate: 2024-03-02\nsignatories: signatories.yaml\n');
    const again = await writeLetter(path.join(dir, 'letter.en.md'), { formats: ['txt'] });
    expect(again.ok && again.changes).toEqual(['letter text changed']);

    const broken = '# fields every edition shares\nsignatories: signatories.yaml\ndate: 2024-02-30\n';
    writeFileSync(path.join(dir, 'letter.yaml'), broken);
    const failed = await loadLetter(path.join(dir, 'letter.ko.md'));
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.diagnostics).toEqual([expect.objectContaining({ file: expect.stringMatching(/letter\.yaml$/), line: 3, column: 7, rule: 'front-matter-schema' })]);
  });

  it('`letterpress build` with no argument builds every letter*.md of the folder', async () => {
    const dir = project();
    const { text, io } = collect();
    const code = await runCli(['build', '-f', 'txt'], io(dir));
    expect(text.err).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(path.join(dir, 'out')).filter((f) => f.endsWith('.txt')).sort()).toEqual(['letter.en.txt', 'letter.ko.txt']);

    const empty = scratch('letterpress-empty-');
    const none = collect();
    expect(await runCli(['build'], none.io(empty))).toBe(1);
    expect(none.text.err).toMatch(/no letter\*\.md in this folder.*letterpress init/);
  });

  it('`watch a.md b.md` rebuilds both after an edit of their shared data file', async () => {
    const dir = project();
    const built: BuildResult[] = [];
    let notify: (() => void) | null = null;
    let fail: ((err: unknown) => void) | null = null;
    const handle = watchLetters([path.join(dir, 'letter.en.md'), path.join(dir, 'letter.ko.md')], { formats: ['txt'] }, {
      built: (result) => {
        built.push(result);
        notify?.();
      },
      failed: (err) => fail?.(err),
    });
    try {
      await handle.ready;
      expect(built.map((r) => path.basename(r.letter.inputs.letter))).toEqual(['letter.en.md', 'letter.ko.md']);
      const both = new Promise<void>((resolve, reject) => {
        notify = () => built.length >= 4 && resolve();
        fail = reject;
      });
      const data = path.join(dir, 'signatories.yaml');
      writeFileSync(data, readFileSync(data, 'utf8').replace('individuals:', '  - name: Aardvark Rights Watch\n    country: Kenya\nindividuals:'));
      await both;
      expect(built.slice(2).map((r) => path.basename(r.letter.inputs.letter)).sort()).toEqual(['letter.en.md', 'letter.ko.md']);
      for (const edition of ['letter.en.txt', 'letter.ko.txt']) expect(readFileSync(path.join(dir, 'out', edition), 'utf8')).toContain('Aardvark Rights Watch');
    } finally {
      await handle.close();
    }
  });
});

describe('letterpress init', () => {
  it('starts a project in each language that builds as it is, and refuses to overwrite', async () => {
    const dir = scratch('letterpress-init-');
    for (const lang of ['zh-CN', 'zh-TW', 'en', 'ko', 'ja'] as const) {
      const folder = path.join(dir, lang);
      const result = await initProject(folder, { lang });
      expect(result.ok).toBe(true);
      const letter = readFileSync(path.join(folder, 'letter.md'), 'utf8');
      expect(letter).toMatch(new RegExp(`^lang: ${lang}$`, 'm'));
      expect(letter).toMatch(/\[\^source\]:/);
      const built = await buildLetter(path.join(folder, 'letter.md'), { formats: ['txt', 'html'] });
      expect(built.ok, built.ok ? '' : formatDiagnostics(built.diagnostics)).toBe(true);
      if (!built.ok) continue;
      expect(built.diagnostics).toEqual([]);
      expect(built.letter.document.notes).toHaveLength(1);
      expect(built.letter.document.signatories?.organizations).toHaveLength(1);
      expect(built.letter.document.signatories?.individuals).toHaveLength(1);
    }
    const before = readFileSync(path.join(dir, 'en', 'letter.md'), 'utf8');
    writeFileSync(path.join(dir, 'en', 'signatories.yaml'), 'mine');
    const { text, io } = collect();
    expect(await runCli(['init', 'en', '--lang', 'ko'], io(dir))).toBe(1);
    expect(text.err).toMatch(/letter\.md error This file is there already/);
    expect(readFileSync(path.join(dir, 'en', 'letter.md'), 'utf8')).toBe(before);
    expect(readFileSync(path.join(dir, 'en', 'signatories.yaml'), 'utf8')).toBe('mine');
  });
});
