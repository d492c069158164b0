/**
 * Problems found by using letterpress as campaign staff would, from the README only: each test
 * replays the steps that showed the problem.
 */
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { runCli, scratch } from './helpers.js';
import { chooseLetter } from '../src/cli/letters.js';

/** A new English letter project made by `letterpress init`, with this signatory file. */
async function project(signatories: string): Promise<string> {
  const dir = path.join(scratch('letterpress-fresh-'), 'letter');
  expect((await runCli(['init', dir, '--lang', 'en'])).code).toBe(0);
  writeFileSync(path.join(dir, 'signatories.yaml'), signatories);
  // No fonts inside the Word copy: the tests read its text, and embedding is the slow part.
  writeFileSync(path.join(dir, 'house.yaml'), 'extends: en\ndocx:\n  embedFonts: none\n');
  writeFileSync(path.join(dir, 'letter.md'), readFileSync(path.join(dir, 'letter.md'), 'utf8').replace('lang: en\n', 'lang: en\ntemplate: house.yaml\n'));
  return dir;
}

describe('import-docx of an untouched copy', () => {
  it('proposes nothing when an entry signed after the list heading\'s asOf date is in the copy', async () => {
    // asOf written by hand earlier than a signing date: the copy shows the entry all the same.
    const dir = await project('asOf: 2026-01-10\norganizations:\n  - name: Early Org\n    signedOn: 2026-01-05\n  - name: Late Org\n    signedOn: 2026-01-20\n');
    const build = await runCli(['build', '--format', 'docx'], dir);
    expect(build.code, build.stderr).toBe(0);
    copyFileSync(path.join(dir, 'out', 'letter.docx'), path.join(dir, 'copy.docx'));
    const run = await runCli(['import-docx', 'copy.docx', '--letter', 'letter.md'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/add organization/);
    expect(run.stdout).toMatch(/letter\.md is unchanged by the Word copy/);
  });
});

describe('a font file named from templates/', () => {
  it('says the path is read from the template\'s folder, not that a package is missing', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    mkdirSync(path.join(dir, 'templates'));
    mkdirSync(path.join(dir, 'fonts'));
    // The staff's first try: the path as seen from the project folder, where the font really is.
    writeFileSync(path.join(dir, 'fonts', 'Extra.ttf'), 'not looked at');
    writeFileSync(path.join(dir, 'templates', 'extra.yaml'), 'extends: en\nfonts:\n  serif:\n    - { file: "fonts/Extra.ttf", name: "Extra" }\n');
    writeFileSync(path.join(dir, 'letter.md'), readFileSync(path.join(dir, 'letter.md'), 'utf8').replace('template: house.yaml', 'template: extra'));
    const run = await runCli(['build'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/templates\/fonts\/Extra\.ttf error Font file not found\. .*"\.\.\/fonts\/NAME\.ttf"/);
    expect(run.stderr).not.toMatch(/npm ci/);
  });
});

describe('a file that is not what its name says', () => {
  it('names a PDF saved as letter.md as a PDF, not as text in another encoding', async () => {
    const dir = scratch('letterpress-fresh-');
    writeFileSync(path.join(dir, 'letter.md'), Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), Buffer.alloc(64, 0xb5)]));
    const run = await runCli(['build'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/letter\.md:1:1 error This is a PDF document, not a text file/);
    expect(run.stderr).not.toMatch(/Windows-1252/);
  });

  it('names a PNG given as the sign-up sheet', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    writeFileSync(path.join(dir, 'signups.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xc3, 0x28]));
    const run = await runCli(['signatories', 'import', 'signups.csv', '--dry-run'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/signups\.csv:1:1 error This is a PNG image, not a text file/);
  });
});

describe('a mistyped data file name in the letter', () => {
  it('is reported at the `signatories` field, with the data files that are there', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    const letter = readFileSync(path.join(dir, 'letter.md'), 'utf8');
    writeFileSync(path.join(dir, 'letter.md'), letter.replace('signatories: signatories.yaml', 'signatories: signatures.yaml'));
    const line = letter.split('\n').findIndex((l) => l.startsWith('signatories:')) + 1;
    const run = await runCli(['build', '--format', 'txt'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`letter.md:${line}:1 error There is no file "signatures.yaml" beside the letter`);
    expect(run.stderr).toMatch(/Data files beside the letter: [^\n]*"signatories\.yaml"/);
    // The house style beside it is a template, not a data file.
    expect(run.stderr).not.toMatch(/Data files beside the letter: [^\n]*"house\.yaml"/);
  });

  it('is reported the same way by the signatories commands, which edit or list that file', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    const letter = readFileSync(path.join(dir, 'letter.md'), 'utf8');
    writeFileSync(path.join(dir, 'letter.md'), letter.replace('signatories: signatories.yaml', 'signatories: signatures.yaml'));
    const line = letter.split('\n').findIndex((l) => l.startsWith('signatories:')) + 1;
    for (const args of [['signatories', 'add', '--org', 'New Org'], ['signatories', 'list']]) {
      const run = await runCli(args, dir);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toContain(`letter.md:${line}:1 error There is no file "signatures.yaml" beside the letter`);
      expect(run.stderr).toMatch(/Data files beside the letter: [^\n]*"signatories\.yaml"/);
    }
    expect(readFileSync(path.join(dir, 'signatories.yaml'), 'utf8')).not.toContain('New Org');
  });

  it('is reported in the same round as a mistyped template, both in the order of the file', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    const letter = readFileSync(path.join(dir, 'letter.md'), 'utf8').replace('signatories: signatories.yaml', 'signatories: signatures.yaml').replace('template: house.yaml', 'template: hose.yaml');
    writeFileSync(path.join(dir, 'letter.md'), letter);
    const lineOf = (field: string) => letter.split('\n').findIndex((l) => l.startsWith(`${field}:`)) + 1;
    const run = await runCli(['build', '--format', 'txt'], dir);
    expect(run.code).toBe(1);
    const errors = run.stderr.split('\n').filter((l) => l.includes(' error '));
    const expected = [
      [lineOf('signatories'), `letter.md:${lineOf('signatories')}:1 error There is no file "signatures.yaml" beside the letter`],
      [lineOf('template'), `letter.md:${lineOf('template')}:1 error There is no template file "hose.yaml" beside the letter`],
    ].sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(errors, run.stderr).toHaveLength(2);
    expected.forEach(([, text], k) => expect(errors[k]).toContain(text));
    // Each hint offers the files of its kind: the house style for the template, not the data.
    const templateError = errors.find((l) => l.includes('template file')) ?? '';
    expect(templateError).toMatch(/YAML files beside the letter: [^\n]*"house\.yaml"/);
    expect(templateError).not.toContain('signatories.yaml');
  });
});

describe('a front matter the schema refuses', () => {
  it('still reports a mistyped template and data file in the same round, each once, in file order', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    const letter = readFileSync(path.join(dir, 'letter.md'), 'utf8')
      .replace(/^date: .*$/m, 'date: 2026-02-30')
      .replace('signatories: signatories.yaml', 'signatories: signatures.yaml')
      .replace('template: house.yaml', 'template: hose.yaml');
    writeFileSync(path.join(dir, 'letter.md'), letter);
    const lineOf = (field: string) => letter.split('\n').findIndex((l) => l.startsWith(`${field}:`)) + 1;
    const run = await runCli(['build', '--format', 'txt'], dir);
    expect(run.code).toBe(1);
    const errors = run.stderr.split('\n').filter((l) => l.includes(' error '));
    expect(errors, run.stderr).toHaveLength(3);
    const expected = [
      [lineOf('date'), `letter.md:${lineOf('date')}:7 error Front matter field \`date\`: "2026-02-30" is not a day of the calendar`],
      [lineOf('signatories'), `letter.md:${lineOf('signatories')}:1 error There is no file "signatures.yaml" beside the letter`],
      [lineOf('template'), `letter.md:${lineOf('template')}:1 error There is no template file "hose.yaml" beside the letter`],
    ].sort((a, b) => Number(a[0]) - Number(b[0]));
    expected.forEach(([, text], k) => expect(errors[k]).toContain(text));
  });

  it('does not report a field twice when the schema refused that field itself', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    writeFileSync(path.join(dir, 'letter.md'), readFileSync(path.join(dir, 'letter.md'), 'utf8').replace('template: house.yaml\n', '').replace('lang: en', 'lang: xx_YY'));
    const run = await runCli(['build', '--format', 'txt'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter((l) => l.includes(' error ')), run.stderr).toHaveLength(1);
  });
});

describe('a wrong date in the front matter', () => {
  it('says 30 February is not a day, rather than asking for the format it already has', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    const letter = readFileSync(path.join(dir, 'letter.md'), 'utf8');
    writeFileSync(path.join(dir, 'letter.md'), letter.replace(/^date: .*$/m, 'date: 2026-02-30'));
    const run = await runCli(['build', '--format', 'txt'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/letter\.md:\d+:7 error Front matter field `date`: "2026-02-30" is not a day of the calendar/);
  });
});

describe('a language tag in another case', () => {
  it('`lang: zh-tw` says to write zh-TW', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    writeFileSync(path.join(dir, 'letter.md'), readFileSync(path.join(dir, 'letter.md'), 'utf8').replace('template: house.yaml\n', '').replace('lang: en', 'lang: zh-tw'));
    const run = await runCli(['build', '--format', 'txt'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/letter\.md:2:1 error There is no template "zh-tw": write "zh-TW"/);
  });
});

describe('a name written family name first, with a comma', () => {
  it('sorts "Park, Ji-woo" under Park, and "John Smith, Jr." under Smith', async () => {
    const dir = await project('organizations:\n  - name: Some Org\nindividuals:\n  - name: Zoe Adams\n  - name: John Smith, Jr.\n  - name: Park, Ji-woo\n  - name: Jane Oh\n');
    const run = await runCli(['signatories', 'list', '--check'], dir);
    expect(run.code, run.stderr).toBe(0);
    const people = run.stdout.split('Individuals:\n')[1]?.split('\n\n')[0]?.trim().split('\n').map((l) => l.trim());
    expect(people).toEqual(['Zoe Adams', 'Jane Oh', 'Park, Ji-woo', 'John Smith, Jr.']);
    expect(run.stdout).toContain('Park, Ji-woo: sorted under "Park" (a guess)');
  });
});

describe('a signatory written as a bare name', () => {
  it('says how to write the entry', async () => {
    const dir = await project('organizations:\n  - name: Some Org\nindividuals:\n  - Wang Dan\n');
    const run = await runCli(['build', '--format', 'txt'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/signatories\.yaml:4:5 error Signatory file field `individuals\.0`: .*; write each entry as `- name: …`/);
  });
});

describe('a name in a right-to-left script', () => {
  it('is refused by the PDF at its place, where it would come out garbled; the text edition still builds', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n  - name: منظمة العفو الدولية\n    country: مصر\n');
    const pdf = await runCli(['build', '--format', 'pdf'], dir);
    expect(pdf.code).toBe(1);
    expect(pdf.stderr).toMatch(/signatories\.yaml:3:11 error "م" \(U\+0645, Arabic script\) is written right to left, which the PDF edition cannot set yet/);
    expect(pdf.stderr).toMatch(/right-to-left\n/);
    const txt = await runCli(['build', '--format', 'txt'], dir);
    expect(txt.code, txt.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'out', 'letter.txt'), 'utf8')).toContain('منظمة العفو الدولية / مصر');
  });
});

describe('a country corrected in the Word copy', () => {
  it('--apply-signatories says which country it corrected, not the same name twice', async () => {
    // A country letterpress cannot map is shown as written (Kosova, not CLDR's Kosovo).
    const dir = await project('organizations:\n  - name: Lawyers Union\n    country: Kosova\n');
    expect((await runCli(['build', '--format', 'docx'], dir)).code).toBe(0);
    const parts = unzipSync(readFileSync(path.join(dir, 'out', 'letter.docx')));
    const xml = strFromU8(parts['word/document.xml'] as Uint8Array);
    expect(xml).toContain('Lawyers Union / Kosova<');
    parts['word/document.xml'] = strToU8(xml.replace('Lawyers Union / Kosova<', 'Lawyers Union / Kosovo<'));
    writeFileSync(path.join(dir, 'edited.docx'), zipSync(parts));
    const run = await runCli(['import-docx', 'edited.docx', '--write', '--apply-signatories'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Corrected organization "Lawyers Union / Kosova" → "Lawyers Union / Kosovo" in signatories.yaml.');
    // The country typed is one the letter's language names: the data gets its code (shown as Kosovo).
    expect(readFileSync(path.join(dir, 'signatories.yaml'), 'utf8')).toContain('country: XK');
  });
});

describe('a country corrected in a Word copy that shows countries in its language', () => {
  it('--apply-signatories writes the code of the country typed (Netherlands → NL), keeps the names per language, and leaves an unchanged country as the data had it', async () => {
    const dir = await project('organizations:\n  - name: { en: Lawyers Union, ko: 변호사연합 }\n    country: Belgium\n  - name: Human Rights Watch\n    country: USA\n');
    expect((await runCli(['build', '--format', 'docx'], dir)).code).toBe(0);
    const parts = unzipSync(readFileSync(path.join(dir, 'out', 'letter.docx')));
    const xml = strFromU8(parts['word/document.xml'] as Uint8Array);
    expect(xml).toContain('Lawyers Union / Belgium<');
    expect(xml).toContain('Human Rights Watch / United States<');
    parts['word/document.xml'] = strToU8(xml.replace('Lawyers Union / Belgium<', 'Lawyers Union / Netherlands<'));
    writeFileSync(path.join(dir, 'edited.docx'), zipSync(parts));
    const run = await runCli(['import-docx', 'edited.docx', '--write', '--apply-signatories'], dir);
    expect(run.code, run.stderr).toBe(0);
    const data = readFileSync(path.join(dir, 'signatories.yaml'), 'utf8');
    expect(data).toContain('name: { en: Lawyers Union, ko: 변호사연합 }\n    country: NL');
    expect(data).toContain('country: USA');
  });
});

describe('a sign-up dated in the future', () => {
  it('is refused by the dry run at its cell, as the import itself would refuse it', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    // 28 December of next year: month-first, and not day-first, by itself.
    const us = `12/28/${new Date().getUTCFullYear() + 1} 10:00:00`;
    writeFileSync(path.join(dir, 'form.csv'), `Timestamp,Organization,Country\n${us},Future Org,USA\n`);
    const dry = await runCli(['signatories', 'import', 'form.csv', '--dry-run'], dir);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toMatch(/form\.csv:2:1 error The date ".*" is in the future \(\d{4}-\d{2}-\d{2}\); check the year/);
    const real = await runCli(['signatories', 'import', 'form.csv'], dir);
    expect(real.code).toBe(1);
    expect(real.stderr).not.toMatch(/bug in letterpress/);
  });
});

describe('the command list', () => {
  it('names import among what `signatories` does', async () => {
    const run = await runCli(['--help']);
    expect(run.stdout + run.stderr).toMatch(/signatories\s+add,\s+remove,\s+import\s+\(from\s+a\s+sign-up\s+spreadsheet\)\s+or\s+list/);
  });
});

describe('the Word copy of another letter', () => {
  it('is flagged even when the letter is as short as the one init writes', async () => {
    const mine = await project('organizations:\n  - name: Some Org\n');
    const other = await project('organizations:\n  - name: Other Org\n');
    const letter = readFileSync(path.join(other, 'letter.md'), 'utf8');
    const head = letter.slice(0, letter.indexOf('\n---\n') + 5);
    writeFileSync(path.join(other, 'letter.md'), `${head}\nA paragraph of another letter altogether.\n\nAnd its second paragraph, also unlike ours.\n`);
    expect((await runCli(['build', '--format', 'docx'], other)).code).toBe(0);
    copyFileSync(path.join(other, 'out', 'letter.docx'), path.join(mine, 'theirs.docx'));
    const run = await runCli(['import-docx', 'theirs.docx'], mine);
    expect(run.stderr).toMatch(/warning the whole document: only 0 of the letter's 2 paragraphs are found unchanged in the Word copy: was it made from another letter/);
  });
});

describe('a typo in a front-matter field name', () => {
  it('names the field it most likely means', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    const letter = readFileSync(path.join(dir, 'letter.md'), 'utf8');
    writeFileSync(path.join(dir, 'letter.md'), letter.replace(/^subject:/m, 'subjet:').replace(/^closing:/m, 'Closing:'));
    const run = await runCli(['build', '--format', 'txt'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error Front matter: unknown field `subjet`; did you mean `subject`\? \(allowed fields: /);
    expect(run.stderr).toMatch(/error Front matter: unknown field `Closing`; did you mean `closing`\?/);
  });
});

describe('a LibreOffice Calc sheet', () => {
  it('is named as an .ods, with how to save it as .xlsx, whatever its file name says', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    const ods = zipSync({ mimetype: [strToU8('application/vnd.oasis.opendocument.spreadsheet'), { level: 0 }], 'content.xml': strToU8('<office:document-content/>') });
    writeFileSync(path.join(dir, 'signups.xlsx'), ods);
    const run = await runCli(['signatories', 'import', 'signups.xlsx', '--dry-run'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/signups\.xlsx error This is an OpenDocument spreadsheet \(\.ods, LibreOffice Calc\); save it as \.xlsx/);
  });
});

describe('a folder where a file should be', () => {
  it('a folder named letter.md is named as a folder, not reported as "no letter*.md"', async () => {
    const dir = scratch('letterpress-fresh-');
    mkdirSync(path.join(dir, 'letter.md'));
    for (const args of [['build'], ['diff'], ['release']]) {
      const run = await runCli(args, dir);
      expect(run.code, args[0]).toBe(1);
      expect(run.stderr, args[0]).toMatch(/There is no letter here: "letter\.md" is a folder, not a file\. Move the letter out of it or rename the folder/);
    }
  });

  it('a folder named signatories.yaml is refused by `signatories add` with what to check', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    const data = path.join(dir, 'signatories.yaml');
    rmSync(data);
    mkdirSync(data);
    const run = await runCli(['signatories', 'add', '--org', 'New Org', '--country', 'France'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/signatories\.yaml error This is a folder, not a data file; nothing was changed\. Check the `signatories` field of the letter/);
  });
});

describe('a workbook made by opening a semicolon CSV with the wrong separator', () => {
  it('says the header is squeezed into one cell and how to undo it', async () => {
    const { planImport } = await import('../src/signatories/import/plan.js');
    const cell = (value: string, line: number) => ({ value, place: { line, column: 1 } });
    // What LibreOffice Calc makes of Excel's "CSV UTF-8 (semicolon)" opened with its defaults.
    const rows = [
      { line: 1, cells: [cell('ï»¿Organisation;Country;Date', 1)] },
      { line: 2, cells: [cell('Amnesty Example;France;26/09/2023', 2)] },
    ];
    const plan = planImport('signups.xlsx', { type: 'xlsx', sheet: 'signups', rows }, [], 'signatories.yaml', { kind: 'organization' });
    expect(plan.refused).toHaveLength(1);
    expect(plan.refused[0]?.reason).toMatch(/^The whole header is in one cell \("ï»¿Organisation;Country;Date"\): the sheet was made by opening a CSV file with the wrong separator \(the columns are split by ";"\) and the wrong character set/);
    expect(plan.refused[0]?.reason).toMatch(/Import the original \.csv file instead .* choosing "Semicolon" as the separator and "Unicode \(UTF-8\)"/);
    // One real header cell that is not a name column keeps the usual message.
    const plain = planImport('signups.xlsx', { type: 'xlsx', rows: [{ line: 1, cells: [cell('Sign-ups', 1)] }] }, [], 'signatories.yaml', {});
    expect(plain.refused[0]?.reason).toMatch(/^No column for the names/);
  });
});

describe('a typo in a signatory field name', () => {
  it('names the field it most likely means, at the key (British spelling of the list included)', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n    contry: France\nindividuals:\n  - name: Jane Doe\n    Titel: Professor\norganisations: []\n');
    const run = await runCli(['signatories', 'list'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/signatories\.yaml:3:5 error Signatory file: unknown field `organizations\.0\.contry`; did you mean `country`\?/);
    expect(run.stderr).toMatch(/signatories\.yaml:6:5 error Signatory file: unknown field `individuals\.0\.Titel`; did you mean `title`\?/);
    expect(run.stderr).toMatch(/signatories\.yaml:7:1 error Signatory file: unknown field `organisations`; did you mean `organizations`\?/);
  });
});

describe('a date written another way in the data file', () => {
  it('is refused with the YYYY-MM-DD it most likely is (both readings when it could be either)', async () => {
    const { signatoriesFromText } = await import('../src/signatories/index.js');
    const { BuildError } = await import('../src/diagnostics/index.js');
    const yaml = 'asOf: 03/04/2023\norganizations:\n  - name: A\n    signedOn: 26/09/2023\n  - name: B\n    signedOn: 2023-02-30\n  - name: C\n    signedOn: 2023年9月26日\n';
    let messages: string[] = [];
    try {
      signatoriesFromText('s.yaml', yaml, 'en', '2023-09-30');
    } catch (err) {
      expect(err).toBeInstanceOf(BuildError);
      messages = (err as InstanceType<typeof BuildError>).files.flatMap((f) => f.messages.map((m) => `${m.line}:${m.column} ${m.reason}`));
    }
    expect(messages).toContain('4:15 Malformed date "26/09/2023": write the signing date as YYYY-MM-DD: 2023-09-26.');
    expect(messages).toContain('8:15 Malformed date "2023年9月26日": write the signing date as YYYY-MM-DD: 2023-09-26.');
    expect(messages).toContain('6:15 Malformed date "2023-02-30": write the signing date as YYYY-MM-DD — it is, but the calendar has no such day; check the day and the month.');
    expect(messages).toContain('1:7 Malformed date "03/04/2023": write asOf as YYYY-MM-DD: 2023-04-03 if the day comes first, 2023-03-04 if the month does.');
  });
});

describe('an invisible character in a name (a name copied from a web page)', () => {
  it('is a warning at the name in the data file, refused by `signatories add`, removed by import with a warning', async () => {
    const { signatoriesFromText } = await import('../src/signatories/index.js');
    const { file } = signatoriesFromText('s.yaml', 'organizations:\n  - name: "Other\\u200BOrg"\n  - name: "Bidi \\u202Egro\\u202C Org"\n', 'en', '2023-09-30');
    const warnings = file.messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.reason}`);
    expect(warnings).toContainEqual(expect.stringMatching(/^2:11 signatories-invisible The name "Other\u200bOrg" contains an invisible zero-width space \(U\+200B\) after "Other", which no reader sees/));
    expect(warnings).toContainEqual(expect.stringMatching(/^3:11 signatories-invisible .*contains an invisible right-to-left override \(U\+202E\) after "Bidi "/));
    const dir = await project('organizations:\n  - name: Some Org\n');
    const add = await runCli(['signatories', 'add', '--org', 'New\u200bOrg', '--country', 'France'], dir);
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/The name contains an invisible zero-width space \(U\+200B\) after "New"; type the name again/);
    writeFileSync(path.join(dir, 'signups.csv'), 'Organisation,Country\nPasted\u200b Org\ufeff,France\nJoined\u200dEmoji Org,Spain\n');
    const imported = await runCli(['signatories', 'import', 'signups.csv'], dir);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/signups\.csv:2:1 warning The name "Pasted Org" contained an invisible zero-width space \(U\+200B\) after "Pasted"; it is imported without it/);
    const data = readFileSync(path.join(dir, 'signatories.yaml'), 'utf8');
    expect(data).toContain('- name: Pasted Org\n');
    // A zero-width joiner is part of emoji and of several scripts: kept.
    expect(data).toContain('- name: Joined\u200dEmoji Org\n');
  });
});

describe('a file given as the Word copy that is not one', () => {
  it('is named (empty, PDF, RTF, .doc, .odt, .xlsx) with what to do', async () => {
    const { unpack } = await import('../src/import/docx/read.js');
    const reason = (bytes: Uint8Array) => {
      try {
        unpack(bytes);
      } catch (err) {
        return (err as Error).message;
      }
      return 'read';
    };
    expect(reason(new Uint8Array())).toBe('the file is empty (0 bytes); ask for the Word copy again');
    expect(reason(strToU8('%PDF-1.7\n'))).toMatch(/^this is a PDF document, not a Word document \(\.docx\)/);
    expect(reason(strToU8('{\\rtf1\\ansi hello}'))).toMatch(/^this is an RTF file, not a Word document \(\.docx\); open it in Word or LibreOffice and save it as \.docx/);
    expect(reason(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]))).toMatch(/^this is an old-style Office file \(\.xls or \.doc\), not a \.docx; open it in Word or LibreOffice and save it as \.docx/);
    const odt = zipSync({ mimetype: [strToU8('application/vnd.oasis.opendocument.text'), { level: 0 }], 'content.xml': strToU8('<office:document-content/>') });
    expect(reason(odt)).toMatch(/^this is an OpenDocument text \(\.odt, LibreOffice Writer\), not a \.docx; .*soffice --headless --convert-to docx FILE\.odt/);
    expect(reason(zipSync({ 'xl/workbook.xml': strToU8('<workbook/>'), '[Content_Types].xml': strToU8('<Types/>') }))).toMatch(/^this is an Excel workbook, not a Word document/);
  });
});

describe('a hand-written YAML mistake', () => {
  it('a second ": " in a value says to quote it, a tab says to indent with spaces, one message per line', async () => {
    const { signatoriesFromText } = await import('../src/signatories/index.js');
    const { BuildError } = await import('../src/diagnostics/index.js');
    const messages = (yaml: string) => {
      try {
        signatoriesFromText('s.yaml', yaml, 'en', '2023-09-30');
      } catch (err) {
        return (err as InstanceType<typeof BuildError>).files.flatMap((f) => f.messages.map((m) => `${m.line}:${m.column} ${m.reason}`));
      }
      return [];
    };
    expect(messages('organizations:\n  - name: Friends of Example: Berlin\n    country: Germany\n')).toEqual([
      '2:11 Signatory file is not valid YAML: Nested mappings are not allowed in compact mappings; a value that contains ": " must be in quotes: name: "Friends of Example: Berlin"',
    ]);
    expect(messages('organizations:\n\t- name: A\n')).toEqual(['2:1 Signatory file is not valid YAML: Tabs are not allowed as indentation; indent with spaces, not tabs']);
    // A value opened by [ or { (`[Draft] …`, an unclosed list): named at its own line, with the quotes to write.
    expect(messages('organizations:\n  - name: [Draft] Example Group\n')).toEqual([
      '2:19 Signatory file is not valid YAML: Unexpected scalar at node end; a value that begins with [ is read as a list: put it in quotes: name: "[Draft] Example Group"',
    ]);
    expect(messages('organizations:\n  - name: {Example\n    country: BE\n')).toEqual([
      '2:11 Signatory file is not valid YAML: Flow map in block collection must be sufficiently indented and end with a }; a value that begins with { is read as a mapping: end the mapping with } on its line, or if it is text, put it in quotes: name: "{Example"',
    ]);
    // `name:` with nothing after it: said to be empty, not "Invalid input" or "received null".
    expect(messages('organizations:\n  - name:\n    country:\n')).toEqual([
      "2:10 Signatory file field `organizations.0.name`: is empty: write its value after the colon",
      "3:13 Signatory file field `organizations.0.country`: is empty: write its value after the colon",
    ]);
  });
});

describe('front matter without its closing ---', () => {
  it('is named at the opening line, without the errors of the text it swallowed', async () => {
    const { loadLetterFromText } = await import('../src/load/letter.js');
    const { BuildError } = await import('../src/diagnostics/index.js');
    const dir = scratch('letterpress-fresh-');
    const text = '---\nlang: en\ndate: 2023-09-21\nsubject: A test\n\nA paragraph with a note.[^a]\n\n[^a]: The note.\n';
    const error = await loadLetterFromText({ letterPath: path.join(dir, 'letter.md'), text }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    const messages = (error as InstanceType<typeof BuildError>).files.flatMap((f) => f.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`));
    expect(messages).toEqual(['1:1 front-matter-unclosed']);
  });
});

describe('a form tool\'s JSON export', () => {
  it('is read when it wraps the list in an object; broken JSON is positioned', async () => {
    const { readTable } = await import('../src/signatories/import/table.js');
    const wrapped = await readTable({ path: 'answers.json', bytes: strToU8('{"form": "Sign-ups", "responses": [{"Organization": "Wrapped Org", "Country": "Japan"}]}') });
    expect('table' in wrapped && wrapped.table.rows.map((r) => r.cells.map((c) => c.value))).toEqual([['Organization', 'Country'], ['Wrapped Org', 'Japan']]);
    const broken = await readTable({ path: 'answers.json', bytes: strToU8('[\n  {"Organization": "A",\n  }\n]') });
    expect(broken).toMatchObject({ place: { line: 3, column: 3 } });
    expect('error' in broken && broken.error).toMatch(/^Not valid JSON: .*; fix it at this place, or export the answers from the form tool again\.$/);
  });
});

describe('a very long name', () => {
  it('is a warning at the name, asking whether it is a paste gone wrong; a long real name is not', async () => {
    const { signatoriesFromText } = await import('../src/signatories/index.js');
    const pasted = `We the undersigned organisations ${'call on the government to act '.repeat(8)}`.trim();
    const real = 'International Federation for Human Rights and the World Organisation Against Torture Observatory for the Protection of Human Rights Defenders';
    const { file, list } = signatoriesFromText('s.yaml', `organizations:\n  - name: ${pasted}\n  - name: ${real}\n`, 'en', '2023-09-30');
    expect(list.organizations).toHaveLength(2);
    const long = file.messages.filter((m) => m.ruleId === 'signatories-long-name').map((m) => `${m.line}:${m.column} ${m.reason}`);
    expect(long).toEqual([`2:11 This name is ${[...pasted].length} characters long, beginning "We the undersigned organisations call on…": is it one name, or a paragraph or several rows pasted into one cell? Shorten it if it is not a name.`]);
  });
});

describe('a folder whose letter is not called letter.md', () => {
  it('the signatories commands use its only letter*.md, and say so when there are several', async () => {
    const dir = await project('organizations:\n  - name: Some Org\n');
    renameSync(path.join(dir, 'letter.md'), path.join(dir, 'letter.en.md'));
    const listed = await runCli(['signatories', 'list'], dir);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('Some Org');
    expect((await runCli(['signatories', 'add', '--org', 'Other Org'], dir)).code).toBe(0);
    expect(readFileSync(path.join(dir, 'signatories.yaml'), 'utf8')).toContain('Other Org');
    copyFileSync(path.join(dir, 'letter.en.md'), path.join(dir, 'letter.fr.md'));
    const two = await runCli(['signatories', 'list'], dir);
    expect(two.code).toBe(1);
    expect(two.stderr).toMatch(/There are 2 letters here \(letter\.en\.md, letter\.fr\.md\) and no letter\.md; name the one you mean.*--file/);
    const byFile = await runCli(['signatories', 'list', '--file', 'signatories.yaml'], dir);
    expect(byFile.code, byFile.stderr).toBe(0);
    expect(byFile.stdout.split('\n')[0]).toMatch(/individual\(s\), as of \d{4}-\d\d-\d\d, not sorted for any language \(give --letter/);
  });

  it('import-docx takes the letter its Word copy was made from (letter.ko.docx → letter.ko.md)', () => {
    const dir = scratch('letterpress-choose-');
    for (const name of ['letter.md', 'letter.ko.md', 'letter.ja.md']) writeFileSync(path.join(dir, name), '');
    expect(chooseLetter(dir, 'x', 'out/letter.ko.docx')).toEqual({ letter: 'letter.ko.md' });
    expect(chooseLetter(dir, 'x', 'Partner edits.docx')).toEqual({ letter: 'letter.md' });
    // Saved again under a suffix: still the letter its name starts with (the longest).
    expect(chooseLetter(dir, 'x', 'Downloads/letter.ko (1).docx')).toEqual({ letter: 'letter.ko.md' });
    expect(chooseLetter(dir, 'x', 'letter.ja-edited by partners.docx')).toEqual({ letter: 'letter.ja.md' });
    expect(chooseLetter(dir, 'x', 'letter.kor.docx')).toEqual({ letter: 'letter.md' });
    rmSync(path.join(dir, 'letter.md'));
    expect(chooseLetter(dir, 'x', 'letter.docx')).toMatchObject({ problem: expect.stringMatching(/There are 2 letters here/) });
    // The problem shows how to name one of them, in the command's own words.
    expect(chooseLetter(dir, 'letterpress signatories list --letter my-letter.md')).toMatchObject({ problem: expect.stringContaining('e.g. letterpress signatories list --letter letter.ja.md.') });
  });
});
