/**
 * Property-based tests (fast-check) of the loaders and the build, on generated letters, front
 * matter, CSV and YAML, valid and broken: no exception other than the diagnostic type
 * (BuildError) escapes; a failed build writes nothing; a successful build's text edition keeps
 * every Han character of its input. `npm test` runs a short round (FUZZ_RUNS, default 25 per
 * property); `npm run fuzz` a long one.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BuildError } from '../src/diagnostics/index.js';
import { signatoriesFromText } from '../src/signatories/index.js';
import { addSignatory, EditRefused } from '../src/signatories/edit.js';
import { duplicateKey } from '../src/signatories/validate.js';
import { build } from '../src/build/build.js';
import { hanCounts, scratch, sourceLetter } from './helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const params = { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) };

const HAN = [...new Set(sourceLetter().match(/\p{Script=Han}/gu) ?? [])];
const han = fc.array(fc.constantFrom(...HAN), { minLength: 1, maxLength: 12 }).map((a) => a.join(''));
const latin = fc.constantFrom('Human', 'Rights', 'Watch', 'ILGA', 'Asia', 'a', 'Z', '2023', 'O\u0301', 'x-y');
/** Bytes that mean something to YAML, CSV or Markdown. */
const special = fc.constantFrom('"', "'", ',', ';', '\t', '\n', '\r\n', '[', ']', '{', '}', '&a', '*a', '!', '|', '>', '#', '-', '*', '_', '`', '\\', '<', '\u0000', '\ufeff', '\u200d', '  ', '\u3000');

/** Insert a few special fragments at random places (breaking the text, or not). */
function mangle(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(text, fc.array(fc.tuple(fc.nat(), special), { maxLength: 4 })).map(([t, inserts]) => {
    let out = t;
    for (const [at, s] of inserts) {
      const i = at % (out.length + 1);
      out = out.slice(0, i) + s + out.slice(i);
    }
    return out;
  });
}

const name = fc.oneof(han, fc.array(latin, { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')), fc.constant(''));
const date = fc.oneof(fc.constant('2023-09-21'), fc.constant('2023-02-30'), fc.constant('21.9.2023'), fc.constant(''));
const kind = fc.constantFrom('organization', 'individual', 'company', 'Organization', '');

const csv = fc
  .tuple(
    fc.constantFrom(',', ';', '\t'),
    fc.array(fc.tuple(kind, name, name, name, date), { maxLength: 8 }),
    fc.boolean(),
  )
  .map(([sep, rows, quote]) => {
    const q = (v: string) => (quote || v.includes(sep) || v.includes('"') ? `"${v.replace(/"/g, '""')}"` : v);
    const header = ['kind', 'name', 'country', 'title', 'sort_as', 'signed_on'].map(q).join(sep);
    return `${header}\n${rows.map(([k, n, c, t, d]) => [k, n, c, t, '', d].map(q).join(sep)).join('\n')}\n`;
  });

const yamlData = fc
  .tuple(fc.array(fc.tuple(name, name, date), { maxLength: 6 }), fc.array(fc.tuple(name, name), { maxLength: 4 }), fc.option(date))
  .map(([orgs, people, asOf]) =>
    [
      asOf !== null ? `asOf: ${asOf}` : '',
      'organizations:',
      ...orgs.map(([n, c, d]) => `  - name: ${JSON.stringify(n)}\n    country: ${JSON.stringify(c)}${d ? `\n    signedOn: ${d}` : ''}`),
      'individuals:',
      ...people.map(([n, t]) => `  - name: ${JSON.stringify(n)}\n    title: ${JSON.stringify(t)}`),
    ].join('\n'),
  );

/** Data that loads (distinct non-empty names, good dates), in either format, for the editor. */
const goodName = fc.oneof(han, fc.array(latin, { minLength: 1, maxLength: 3 }).map((w) => w.join(' ')));
const goodRows = fc.uniqueArray(fc.tuple(fc.constantFrom('organization', 'individual'), goodName, name), { maxLength: 6, selector: ([, n]) => n.toLowerCase().normalize('NFKC') });
const goodData = fc.oneof(
  fc.tuple(fc.constantFrom(',', ';', '\t'), goodRows).map(([sep, rows]) => ['csv', `kind${sep}name${sep}country${sep}signed_on\n${rows.map(([k, n, c]) => [k, n, k === 'organization' ? c : '', '2023-09-21'].map((v) => (v.includes(sep) || v.includes('"') ? `"${v.replace(/"/g, '""')}"` : v)).join(sep)).join('\n')}\n`] as const),
  goodRows.map((rows) => ['yaml', `organizations:\n${rows.filter(([k]) => k === 'organization').map(([, n, c]) => `  - name: ${JSON.stringify(n)}\n    country: ${JSON.stringify(c)}`).join('\n')}\nindividuals:\n${rows.filter(([k]) => k === 'individual').map(([, n]) => `  - name: ${JSON.stringify(n)}`).join('\n')}\n`] as const),
);

/** Only diagnostics may escape a loader. */
function onlyDiagnostics(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof BuildError)) throw err;
    expect(err.files.some((f) => f.messages.some((m) => m.fatal === true))).toBe(true);
  }
}

describe('fuzzing the signatory loaders', () => {
  it('CSV, valid and broken: a list or positioned diagnostics, never another exception', () => {
    fc.assert(fc.property(fc.oneof(csv, mangle(csv)), (text) => onlyDiagnostics(() => signatoriesFromText('s.csv', text, 'zh-CN', '2023-09-21'))), params);
  });

  it('YAML and JSON, valid and broken: a list or positioned diagnostics, never another exception', () => {
    fc.assert(
      fc.property(fc.oneof(yamlData, mangle(yamlData), fc.string({ maxLength: 200 })), (text) => {
        onlyDiagnostics(() => signatoriesFromText('s.yaml', text, 'zh-CN', '2023-09-21'));
        onlyDiagnostics(() => signatoriesFromText('s.json', text, 'zh-CN', '2023-09-21'));
      }),
      params,
    );
  });
});

describe('fuzzing the editor', () => {
  it('adds a generated name to generated data in its own format, or refuses; what it writes loads with the name in it', async () => {
    const dir = scratch('letterpress-fuzz-edit-');
    let added = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: goodData }, csv.map((t) => ['csv', t] as const), yamlData.map((t) => ['yaml', t] as const)), name, fc.option(name), async ([format, text], newName, country) => {
        const file = path.join(dir, `data.${format}`);
        writeFileSync(file, text);
        try {
          await addSignatory(file, { kind: 'organization', name: newName, ...(country ? { country } : {}) });
        } catch (err) {
          if (!(err instanceof BuildError) && !(err instanceof EditRefused)) throw err;
          expect(readFileSync(file, 'utf8')).toBe(text); // refused: the file is untouched
          return;
        }
        added++;
        const { list } = signatoriesFromText(file, readFileSync(file, 'utf8'), 'en', '2023-09-21');
        const found = list.organizations.find((o) => duplicateKey(o.name) === duplicateKey(newName));
        expect(found?.country ?? null).toBe(country ? country.normalize('NFC').replace(/\s+/g, ' ').trim() || null : null);
      }),
      params,
    );
    expect(added).toBeGreaterThan(0);
    console.info(`fuzz editor: ${added} of ${RUNS} adds written and read back`);
  }, 600_000);
});

/** A letter body: paragraphs of Han text, Latin words and Markdown syntax; notes hold Latin text only. */
const fragment = fc.oneof(
  { weight: 6, arbitrary: han },
  { weight: 2, arbitrary: latin.map((w) => ` ${w} `) },
  { weight: 2, arbitrary: fc.constantFrom('*', '**', '_', '`', '[', ']', '(https://example.org)', '<https://example.org/a>', '\n', '\n\n', '> ', '- ', '1. ', '# ', '\\', '  \n', '---\n', '<b>', '[^n1]', '[^n2]', '[^zz]', '~~') },
);
const body = fc.array(fc.array(fragment, { minLength: 1, maxLength: 12 }).map((f) => f.join('')), { minLength: 1, maxLength: 5 }).map((ps) => ps.join('\n\n'));
const frontMatter = fc
  .tuple(han, han, fc.constantFrom('2023-09-21', '2024-02-29', '2023-02-30', 'soon'), fc.boolean())
  .map(([to, subject, d, withCc]) => `---\nlang: zh-CN\ndate: ${d}\nto:\n  - name: ${to}\n${withCc ? `cc:\n  - name: ${to}副本\n` : ''}subject: ${subject}\nsalutation: 您好：\nclosing: 谢谢！\nsignatories: s.yaml\n---\n\n`);
const letter = fc.tuple(frontMatter, fc.oneof({ weight: 4, arbitrary: body }, { weight: 1, arbitrary: mangle(body) })).map(([fm, b]) => `${fm}${b}\n\n[^n1]: Note one.\n[^n2]: Note two, https://example.org/x.\n`);
const frontMangled = fc.tuple(mangle(frontMatter), body).map(([fm, b]) => `${fm}${b}\n`);

function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) out[f] = readFileSync(path.join(dir, f), 'latin1');
  return out;
}

describe('fuzzing the build (text edition)', () => {
  it('builds or refuses with diagnostics; a refusal writes nothing; a build keeps every Han character', async () => {
    const dir = scratch('letterpress-fuzz-');
    writeFileSync(path.join(dir, 's.yaml'), 'organizations:\n  - name: 人权观察\n');
    mkdirSync(path.join(dir, 'out'));
    let built = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: letter }, { weight: 1, arbitrary: frontMangled }), async (text) => {
        writeFileSync(path.join(dir, 'letter.md'), text);
        writeFileSync(path.join(dir, 'out', 'letter.txt'), 'previous edition\n');
        const before = filesUnder(path.join(dir, 'out'));
        try {
          await build(path.join(dir, 'letter.md'), { formats: ['txt'] });
        } catch (err) {
          if (!(err instanceof BuildError)) throw err;
          refused++;
          expect(filesUnder(path.join(dir, 'out'))).toEqual(before);
          return;
        }
        built++;
        const edition = hanCounts(readFileSync(path.join(dir, 'out', 'letter.txt'), 'utf8'));
        for (const [ch, n] of hanCounts(text.normalize('NFC'))) expect(`${ch}: ${edition.get(ch) ?? 0}`).toBe(`${ch}: ${Math.max(n, edition.get(ch) ?? 0)}`);
      }),
      { ...params, numRuns: Math.max(5, Math.round(RUNS * 1.5)) },
    );
    // the generators reach both outcomes
    console.info(`fuzz build: ${built} built, ${refused} refused`);
    expect(built).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 600_000);
});
