/**
 * New signatories as they arrive: spreadsheet import (every fixture, dry run = real run, contact
 * columns kept out), near-duplicates, `remove` suggestions, the release record and `diff --since`,
 * the individuals' family-name guess, and `signatories list` in the PDF's order. In-process.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VFile } from 'vfile';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { addSignatory, importSignatories, removeSignatory } from '../src/signatories/edit.js';
import { signatoriesFromText } from '../src/signatories/index.js';
import { closestNames, NearDuplicateIndex } from '../src/signatories/nearDuplicates.js';
import { validateRecords } from '../src/signatories/validate.js';
import { readSignatoryData } from '../src/signatories/index.js';
import { parseDate } from '../src/signatories/import/dates.js';
import { guessedFamily, sortIndividuals } from '../src/signatories/sort.js';
import { loadLetter } from '../src/load/letter.js';
import { buildFrame, entryText } from '../src/frame/index.js';
import { build } from '../src/build/build.js';
import { describeChanges, manifestOf, manifestPath, readManifest } from '../src/build/manifest.js';
import { compareSets, findRelease, readReleases, recordRelease, releasesPath, signatorySet } from '../src/cli/releases.js';
import { listLines } from '../src/cli/commands/signatoriesRun.js';
import { BuildError, formatDiagnostics } from '../src/diagnostics/index.js';
import { fixture, hex, root, scratch } from './helpers.js';

const IMPORTS = fixture('signatories', 'import');
const project = (files: Record<string, string>) => {
  const dir = scratch('letterpress-import-');
  for (const [name, from] of Object.entries(files)) cpSync(from, path.join(dir, name));
  return dir;
};
const load = (file: string) => signatoriesFromText(file, readFileSync(file, 'utf8'), 'en', '2023-09-21').list;
const names = (file: string) => {
  const list = load(file);
  return [...list.organizations, ...list.individuals].map((e) => e.name);
};

const FIXTURES = [
  // [fixture, names added, names refused]
  ['google-forms.csv', ['Freedom House', 'Zoe Adams', 'Bob Brown'], ['Citizens’ Alliance for North Korean Human Rights (NKHR)', 'Human Rights Watch（HRW）']],
  ['excel-semicolon.csv', ['Korea Future', 'Open Society Foundations', 'Asia Justice and Rights (AJAR)'], []],
  ['library.xlsx', ['NK Watch', 'Unification Media Group', 'Daily NK'], []],
  ['libreoffice.xlsx', ['Freedom House', 'Open Society Foundations', 'Korea Future'], []],
] as const;

describe('signatories import', () => {
  for (const [sheet, added, refused] of FIXTURES) {
    for (const data of ['signatories.yaml', 'list.csv']) {
      it(`${sheet} into ${data}: the dry run and the real run agree; contact details stay out`, async () => {
        const dir = project({ [data]: data === 'signatories.yaml' ? path.join(root, 'signatories.yaml') : fixture('signatories', 'list-bom-crlf.csv') });
        const file = path.join(dir, data);
        const before = hex(readFileSync(file));
        const options = { defaultSignedOn: '2023-10-05' };
        const dry = await importSignatories(file, { path: path.join(IMPORTS, sheet) }, { ...options, dryRun: true });
        expect(hex(readFileSync(file))).toBe(before);
        expect(dry.plan.added.map((a) => a.entry.name)).toEqual(added);
        expect(dry.plan.refused.map((r) => r.name)).toEqual(refused);
        const ignored = dry.plan.columns.filter((c) => c.field === null).map((c) => c.header);
        expect(ignored.some((h) => /e-?mail/i.test(h))).toBe(true);
        if (refused.length > 0) {
          // Refused rows: nothing is written, and the plan says the same as the dry run.
          const real = await importSignatories(file, { path: path.join(IMPORTS, sheet) }, options);
          expect(real.written).toBe(false);
          expect(hex(readFileSync(file))).toBe(before);
          expect(real.plan.refused).toEqual(dry.plan.refused);
          // --force adds them, warning.
          const forced = await importSignatories(file, { path: path.join(IMPORTS, sheet) }, { ...options, force: true });
          expect(forced.written).toBe(true);
          expect(forced.plan.added.map((a) => a.entry.name)).toEqual([...added, ...refused]);
          expect(formatDiagnostics([forced.plan.report])).toMatch(/warning .*Added anyway \(--force\)/);
          return;
        }
        const real = await importSignatories(file, { path: path.join(IMPORTS, sheet) }, options);
        expect(real.written).toBe(true);
        expect(real.plan.added).toEqual(dry.plan.added);
        expect(real.plan.updated).toEqual(dry.plan.updated);
        const after = readFileSync(file, 'utf8');
        expect(after).not.toMatch(/example\.org/);
        for (const name of added) expect(names(file)).toContain(name);
        // Importing again changes nothing: every row is now "already listed".
        const again = await importSignatories(file, { path: path.join(IMPORTS, sheet) }, options);
        expect(again.written).toBe(false);
        expect(again.plan.skipped).toHaveLength(added.length + dry.plan.skipped.length);
        expect(readFileSync(file, 'utf8')).toBe(after);
      });
    }
  }

  it('reads dates, the title row, formulas and serials from the sheets as they hold them', async () => {
    const dir = project({ 'signatories.yaml': path.join(root, 'signatories.yaml') });
    const file = path.join(dir, 'signatories.yaml');
    const lib = (await importSignatories(file, { path: path.join(IMPORTS, 'library.xlsx') }, { dryRun: true })).plan;
    expect(lib.titleRows).toEqual([1]);
    expect(lib.headerLine).toBe(3);
    expect(lib.added.map((a) => [a.row.line, a.entry.signedOn])).toEqual([[4, '2023-09-26'], [5, '2023-09-28'], [7, '2023-09-29']]);
    const lo = (await importSignatories(file, { path: path.join(IMPORTS, 'libreoffice.xlsx') }, { dryRun: true })).plan;
    expect(lo.added[1]?.entry).toEqual({ kind: 'organization', name: 'Open Society Foundations', country: 'USA', signedOn: '2023-09-27' }); // a formula, read as its value
    const forms = (await importSignatories(file, { path: path.join(IMPORTS, 'google-forms.csv') }, { dryRun: true })).plan;
    expect(forms.added[1]?.entry).toEqual({ kind: 'individual', name: 'Zoe Adams', title: 'Researcher', signedOn: '2023-09-26' });
    const semi = (await importSignatories(file, { path: path.join(IMPORTS, 'excel-semicolon.csv') }, { dryRun: true })).plan;
    expect(semi.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/^already listed as "Transitional Justice Working Group \(TJWG\)" in .*signatories\.yaml:\d+$/)]);
  });

  it('imports a JSON form export, --map and --person', async () => {
    const dir = project({ 'signatories.yaml': path.join(root, 'signatories.yaml') });
    const file = path.join(dir, 'signatories.yaml');
    writeFileSync(path.join(dir, 'form.json'), JSON.stringify([{ 'Nom complet': 'Marie Curie', Fonction: 'Physicist', Courriel: 'm@c.fr', Quand: '2023年9月26日' }]));
    const { plan, written } = await importSignatories(file, { path: path.join(dir, 'form.json') }, { kind: 'individual', map: 'Quand=date' });
    expect(written).toBe(true);
    expect(plan.added.map((a) => a.entry)).toEqual([{ kind: 'individual', name: 'Marie Curie', title: 'Physicist', signedOn: '2023-09-26' }]);
    expect(readFileSync(file, 'utf8')).not.toContain('m@c.fr');
  });

  it('an entry already listed gains the fields it lacks; values it has are kept and named', async () => {
    const dir = project({ 'signatories.yaml': path.join(root, 'signatories.yaml') });
    const file = path.join(dir, 'signatories.yaml');
    writeFileSync(path.join(dir, 'update.csv'), 'Organisation,Country\nViet Tan,USA\nHuman Rights Watch (HRW),United States\n');
    const { plan } = await importSignatories(file, { path: path.join(dir, 'update.csv') }, {});
    expect(plan.updated.map((u) => [u.name, u.changes])).toEqual([['Viet Tan', [{ field: 'country', to: 'USA' }]]]);
    expect(plan.skipped.map((x) => x.reason)).toEqual([expect.stringMatching(/already listed .*; the sheet gives country "United States" \(the data file has "USA", kept\)$/)]);
    const list = load(file);
    expect(list.organizations.find((o) => o.name === 'Viet Tan')?.country).toBe('USA');
    expect(list.organizations.find((o) => o.name === 'Human Rights Watch (HRW)')?.country).toBe('USA');
  });

  it.each([
    ['zh', '组织,国家,联系邮箱,日期\n北京之春,美国,a@x,2023年9月26日\n', { kind: 'organization', name: '北京之春', country: '美国', signedOn: '2023-09-26' }],
    ['ko (a title line above a semicolon header)', '공동서한 서명 단체\n\n단체;국가;연락처;서명일\n시민연대;대한민국;010-1234;2023. 9. 26.\n', { kind: 'organization', name: '시민연대', country: '대한민국', signedOn: '2023-09-26' }],
    ['ja (a title line above a tab-separated header)', '署名団体一覧\n団体\t国\t署名日\n人権ネット\t日本\t2023/09/26\n', { kind: 'organization', name: '人権ネット', country: '日本', signedOn: '2023-09-26' }],
  ] as const)('headers in %s are found', async (_lang, csv, entry) => {
    const dir = project({ 'signatories.yaml': path.join(root, 'signatories.yaml') });
    writeFileSync(path.join(dir, 'sheet.csv'), csv);
    const { plan } = await importSignatories(path.join(dir, 'signatories.yaml'), { path: path.join(dir, 'sheet.csv') }, { dryRun: true });
    expect(plan.refused).toEqual([]);
    expect(plan.added.map((a) => a.entry)).toEqual([entry]);
  });

  it('a CSV data file may write the kind as organisation / person / 组织 / 개인', () => {
    const list = signatoriesFromText('x.csv', 'kind,name\nOrganisation,A Org\nperson,Ann Bee\n组织,乙团体\n개인,김민준\n', 'en', '2023-09-21').list;
    expect(list.organizations.map((o) => o.name)).toEqual(['A Org', '乙团体']);
    expect(list.individuals.map((p) => p.name)).toEqual(['Ann Bee', '김민준']);
  });

  it('1,000 generated rows: no false near-duplicate, one edit (10,000 rows are timed by npm run bench)', async () => {
    const dir = project({ 'signatories.yaml': path.join(root, 'signatories.yaml') });
    // mulberry32: random words, so that no two generated names are near-duplicates by chance.
    let seed = 7;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const word = () => Array.from({ length: 9 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
    const rows = Array.from({ length: 1_000 }, (_, i) => `${word()} ${word()} Rights Network;Country ${i % 50};x${i}@example.org;${(i % 28) + 1}/10/2023`);
    writeFileSync(path.join(dir, 'big.csv'), `Organisation;Country;Contact email;Date signed\n${rows.join('\n')}\n`);
    const started = performance.now();
    const { plan, written } = await importSignatories(path.join(dir, 'signatories.yaml'), { path: path.join(dir, 'big.csv') }, {});
    const ms = performance.now() - started;
    expect(written).toBe(true);
    expect(plan.refused).toEqual([]);
    expect(plan.added).toHaveLength(1_000);
    expect(names(path.join(dir, 'signatories.yaml'))).toHaveLength(61 + 1_000);
    expect(ms).toBeLessThan(30_000); // only against a pathological (quadratic) slowdown
  }, 60_000);

  it('dates in ISO, CJK and numeric forms; the order asked for only when no row tells', () => {
    expect(parseDate('2023年9月26日', null)).toEqual({ iso: '2023-09-26' });
    expect(parseDate('2023. 9. 26.', null)).toEqual({ iso: '2023-09-26' });
    expect(parseDate('2023년 9월 26일', null)).toEqual({ iso: '2023-09-26' });
    expect(parseDate('2023/09/26 10:15:32 AM GMT+9', null)).toEqual({ iso: '2023-09-26' });
    expect(parseDate('26/09/2023', null)).toEqual({ iso: '2023-09-26' });
    expect(parseDate('9/26/2023 10:15:32', null)).toEqual({ iso: '2023-09-26' });
    expect(parseDate('03/04/2023', null)).toEqual({ ambiguous: true });
    expect(parseDate('03/04/2023', 'dmy')).toEqual({ iso: '2023-04-03' });
    expect(parseDate('03/04/2023', 'mdy')).toEqual({ iso: '2023-03-04' });
    expect(parseDate(45195, null)).toEqual({ iso: '2023-09-26' });
    expect(parseDate('31/02/2023', null)).toHaveProperty('error');
  });
});

describe('near-duplicates', () => {
  const existing = ["Citizens' Alliance for North Korean Human Rights (NKHR)", 'Human Rights Watch (HRW)', 'Amnesty International', 'THINK'];
  const index = new NearDuplicateIndex<string>((s) => s);
  for (const name of existing) index.add(name);
  it.each([
    ['curly apostrophe', 'Citizens’ Alliance for North Korean Human Rights (NKHR)', existing[0], 'same-key'],
    ['full-width brackets, no space', 'Human Rights Watch（HRW）', existing[1], 'same-key'],
    ['missing abbreviation', 'Human Rights Watch', existing[1], 'same-key'],
    ['a leading "The"', 'The Human Rights Watch', existing[1], 'same-key'],
    ['case and accents', 'AMNÉSTY INTERNATIONAL', existing[2], 'same-key'],
    ['Cyrillic look-alike', 'Аmnesty Internаtional', existing[2], 'look-alike'],
    ['a typo in a long name', 'Amnesty Internatonal', existing[2], 'typo'],
    ['full-width letters', 'ＴＨＩＮＫ', existing[3], 'same-key'],
  ])('%s: "%s" is "%s"', (_label, name, twin, reason) => {
    expect(index.find(name)).toEqual({ item: twin, reason });
  });
  it.each(['Human Rights Without Frontiers (HRWF)', 'Amnesty Korea', 'THINK TANK', 'Citizens Alliance for Peace'])('"%s" is not a duplicate', (name) => {
    expect(index.find(name)).toBeNull();
  });

  it('the seed letter has no near-duplicates (no warning at build)', () => {
    const file = new VFile({ path: 'signatories.yaml', value: readFileSync(path.join(root, 'signatories.yaml'), 'utf8') });
    validateRecords(file, readSignatoryData(file, 'yaml')?.records ?? []);
    expect(file.messages).toEqual([]);
  });

  it('a build warns, naming both lines', () => {
    const text = 'organizations:\n  - name: Human Rights Watch (HRW)\n  - name: Human Rights Watch（HRW）\n';
    const file = new VFile({ path: 'x.yaml', value: text });
    validateRecords(file, readSignatoryData(file, 'yaml')?.records ?? []);
    expect(formatDiagnostics([file])).toMatch(/^x\.yaml:3:11 warning "Human Rights Watch（HRW）" looks like "Human Rights Watch \(HRW\)" \(line 2\)/);
  });

  it('add refuses a near-duplicate with both places, unless --force', async () => {
    const dir = project({ 'signatories.yaml': path.join(root, 'signatories.yaml') });
    const file = path.join(dir, 'signatories.yaml');
    const before = readFileSync(file, 'utf8');
    const refused = await addSignatory(file, { kind: 'organization', name: 'Human Rights Watch' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BuildError);
    expect(formatDiagnostics((refused as BuildError).files)).toMatch(/signatories\.yaml:53:11 error "Human Rights Watch" looks like "Human Rights Watch \(HRW\)", listed here: .*add it with --force/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    await addSignatory(file, { kind: 'organization', name: 'Human Rights Watch' }, { force: true });
    expect(names(file)).toContain('Human Rights Watch');
  });

  it('remove of a name that is not there suggests the closest names', async () => {
    const dir = project({ 'signatories.yaml': path.join(root, 'signatories.yaml') });
    const file = path.join(dir, 'signatories.yaml');
    const refused = (await removeSignatory(file, 'Human Rights Watch').catch((e: unknown) => e)) as BuildError;
    expect(formatDiagnostics(refused.files)).toMatch(/No organisation or individual is named "Human Rights Watch"; did you mean "Human Rights Watch \(HRW\)"/);
    expect(closestNames('Amnesty Internatonal', ['Amnesty International', 'Amnesty Korea', 'THINK'])[0]).toBe('Amnesty International');
    expect(closestNames('zzzz qqqq', ['Amnesty International'])).toEqual([]);
  });
});

describe('release record and diff --since', () => {
  it("the build's change report says where the names it leaves out are", () => {
    const manifest = (orgs: string[]) => ({ version: 1 as const, inputs: { letter: 'a', signatories: 'b', template: 'c' }, asOf: null, organizations: orgs, individuals: [], notes: 0, editions: {} });
    const many = Array.from({ length: 15 }, (_, i) => `Org ${i} / Chile`);
    const [line] = describeChanges(manifest([]), manifest(many));
    expect(line).toMatch(/^\+15 organisations \(Org 0, Org 1, Org 2, Org 3, Org 4, … 10 more: "letterpress diff --all" before building, or "letterpress diff --since RELEASE --all", lists them all\)$/);
    expect(describeChanges(manifest([]), manifest(many), Infinity)[0]).toContain('Org 14');
  });

  it('records what was sent; lists who was added, removed or changed since', async () => {
    const dir = project({ 'letter.md': fixture('letters', 'en-letter', 'letter.md'), 'people.csv': fixture('letters', 'en-letter', 'people.csv'), 'house.yaml': fixture('letters', 'en-letter', 'house.yaml') });
    const letter = path.join(dir, 'letter.md');
    const outDir = path.join(dir, 'out');
    const current = async () => {
      const loaded = await loadLetter(letter);
      return manifestOf(loaded, buildFrame(loaded.document));
    };
    const built = () => readManifest(manifestPath(path.join(outDir, 'letter')));
    // Not built yet: refused.
    await expect(recordRelease({ letterPath: letter, name: 'mailed', document: (await loadLetter(letter)).document, current: await current(), built: await built(), outDir })).rejects.toBeInstanceOf(BuildError);
    await build(letter, { formats: ['txt'], outDir });
    const { file, release } = await recordRelease({ letterPath: letter, name: 'mailed', document: (await loadLetter(letter)).document, current: await current(), built: await built(), outDir, now: new Date('2024-03-06T10:00:00Z') });
    expect(file).toBe(releasesPath(letter));
    expect(release.editions['txt']?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The signatory file changes: an organisation added, one removed, a country changed.
    const csv = readFileSync(path.join(dir, 'people.csv'), 'utf8').replace('organization,Zeta Watch,Norway,,,2024-03-01\n', '').replace('"Cape Verde"', 'Chile');
    writeFileSync(path.join(dir, 'people.csv'), `${csv}organization,Omega Aid,Peru,,,2024-03-07\n`);
    // Editions now older than the inputs: recording is refused until the next build.
    await expect(recordRelease({ letterPath: letter, name: 'second', document: (await loadLetter(letter)).document, current: await current(), built: await built(), outDir })).rejects.toThrow(/run "letterpress build"/);
    const releases = await readReleases(file);
    expect(findRelease(releases, 'mailed')?.name).toBe('mailed');
    expect(findRelease(releases, '2024-03-06')?.name).toBe('mailed');
    expect(findRelease(releases, '2024-03-05')).toBeNull();
    const changes = compareSets(release, signatorySet((await loadLetter(letter)).document));
    expect(changes.organizations.added.map((e) => e.name)).toEqual(['Omega Aid']);
    expect(changes.organizations.removed.map((e) => e.name)).toEqual(['Zeta Watch']);
    expect(changes.organizations.changed).toEqual([{ name: 'alpha Rights', from: 'Cape Verde', to: 'Chile' }]);
    expect(changes.individuals).toEqual({ added: [], removed: [], changed: [] });
  });

  it('a release record that is missing reads as none; one that is not a regular file is refused at its name, not read', async () => {
    const dir = scratch();
    expect(await readReleases(path.join(dir, 'letter.releases.json'))).toEqual([]);
    const fifo = path.join(dir, 'fifo.releases.json');
    execFileSync('mkfifo', [fifo]);
    const refusal = await readReleases(fifo).then(() => null, (err: unknown) => err);
    expect(refusal).toBeInstanceOf(BuildError);
    expect(formatDiagnostics((refusal as BuildError).files)).toMatch(/fifo\.releases\.json.*not a regular file; restore it from version control/);
  });
});

describe('order that matches the editions', () => {
  it('an individual without sortAs sorts by the last word of a Latin-script name', () => {
    const people = [{ name: 'Bob Brown' }, { name: 'Zoe Adams' }, { name: '김민준' }, { name: 'Carla de la Cruz', sortAs: 'Cruz' }];
    expect(sortIndividuals(people, 'en').map((p) => p.name)).toEqual(['Zoe Adams', 'Bob Brown', 'Carla de la Cruz', '김민준']);
    expect(people.map((p) => guessedFamily(p))).toEqual(['Brown', 'Adams', null, null]);
  });

  // One data file with names in four scripts; a letter in each language; the PDF's drawing order.
  const DATA = [
    'organizations:',
    ...['Amnesty International', 'Zeta Watch', '北京之春', '中国人权', '시민연대', '가나다 모임', 'Ökumenisches Netz'].map((n) => `  - name: ${n}`),
    'individuals:',
    ...['Zoe Adams', 'Bob Brown', '王丹', '李明', '김민준', '박서연'].map((n) => `  - name: ${n}`),
    '',
  ].join('\n');
  const LANGS = ['zh-CN', 'ko', 'en'] as const;

  it.each(LANGS)('%s: `signatories list` prints the PDF order', async (lang) => {
    const dir = scratch(`letterpress-order-${lang}-`);
    writeFileSync(path.join(dir, 'people.yaml'), DATA);
    writeFileSync(path.join(dir, 'letter.md'), `---\nlang: ${lang}\ndate: 2024-03-05\nto:\n  - name: Someone\nsubject: Order\nsalutation: Dear all,\nclosing: Yours,\nsignatories: people.yaml\n---\n\nText.\n`);
    const loaded = await loadLetter(path.join(dir, 'letter.md'));
    const list = loaded.document.signatories;
    if (!list) throw new Error('no list');
    const printed = listLines('people.yaml', list, lang).filter((l) => l.startsWith('  ')).map((l) => l.trim());
    const frame = buildFrame(loaded.document).blocks.flatMap((b) => (b.role === 'signatoryEntry' ? [entryText(b)] : []));
    expect(printed).toEqual(frame);
    await build(path.join(dir, 'letter.md'), { formats: ['pdf'], outDir: path.join(dir, 'out') });
    const doc = await getDocument({ data: new Uint8Array(readFileSync(path.join(dir, 'out', 'letter.pdf'))), verbosity: 0, isEvalSupported: false }).promise;
    let text = '';
    for (let n = 1; n <= doc.numPages; n++) for (const item of (await (await doc.getPage(n)).getTextContent()).items) if ('str' in item) text += item.str;
    await doc.destroy();
    const positions = printed.map((name) => text.indexOf(name));
    expect(positions.every((p) => p >= 0), `every name is in the PDF: ${printed.filter((_, i) => (positions[i] ?? -1) < 0).join(', ')}`).toBe(true);
    const orgs = positions.slice(0, list.organizations.length);
    const people = positions.slice(list.organizations.length);
    expect([...orgs].sort((a, b) => a - b)).toEqual(orgs);
    expect([...people].sort((a, b) => a - b)).toEqual(people);
    if (lang === 'zh-CN') expect(printed.indexOf('李明')).toBeLessThan(printed.indexOf('王丹')); // pinyin: Li before Wang
  }, 60_000);
});
