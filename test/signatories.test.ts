import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signatoriesFromText } from '../src/signatories/index.js';
import { BuildError } from '../src/diagnostics/index.js';
import { fixture, root, sourceSignatoryOrder } from './helpers.js';

const expected = sourceSignatoryOrder();
const load = (file: string, text?: string) =>
  signatoriesFromText(file, text ?? readFileSync(file, 'utf8'), 'zh-CN', '2023-09-21');

function failure(file: string, text: string): string[] {
  try {
    load(file, text);
  } catch (err) {
    if (err instanceof BuildError) return err.files.flatMap((f) => f.messages.map((m) => `${m.line}:${m.column} ${m.reason}`));
    throw err;
  }
  throw new Error('expected the list to be rejected');
}

describe('signatory lists', () => {
  it('the source has 54 organisations and 7 individuals', () => {
    expect(expected.organizations).toHaveLength(54);
    expect(expected.individuals).toHaveLength(7);
  });

  for (const file of [
    path.join(root, 'signatories.yaml'),
    fixture('signatories', 'list.json'),
    fixture('signatories', 'list.csv'),
    fixture('signatories', 'list-bom-crlf.csv'),
    fixture('signatories', 'list-shuffled.csv'),
  ]) {
    it(`${path.basename(file)} loads in the source's order`, () => {
      const { list } = load(file);
      expect(list.organizations.map((o) => o.name)).toEqual(expected.organizations);
      expect(list.individuals.map((p) => p.name)).toEqual(expected.individuals);
    });
  }

  it('keeps THINK between Taiwan Alliance… and Transitional Justice…', () => {
    const names = load(fixture('signatories', 'list-shuffled.csv')).list.organizations.map((o) => o.name);
    const at = names.indexOf('THINK');
    expect(names[at - 1]).toMatch(/^Taiwan Alliance/);
    expect(names[at + 1]).toMatch(/^Transitional Justice/);
  });

  it('reads quoted CSV fields with commas and BOM + CRLF', () => {
    const { list } = load(fixture('signatories', 'list-bom-crlf.csv'));
    expect(list.organizations.map((o) => o.name)).toContain('International Lesbian, Gay, Bisexual, Trans and Intersex (ILGA) Asia');
    expect(list.organizations[0]?.name.startsWith('\ufeff')).toBe(false);
    expect(list.organizations.every((o) => !/\r/.test(o.name + (o.country ?? '')))).toBe(true);
  });

  it('as-of date: asOf, else the latest signed_on, else the letter date', () => {
    expect(load('a.yaml', 'asOf: 2023-10-01\norganizations: [{name: A}]\n').list.asOf).toBe('2023-10-01');
    const csv = 'kind,name,country,title,sort_as,signed_on\norganization,A,,,,2023-09-25\norganization,B,,,,2023-09-28\n';
    expect(load('a.csv', csv).list.asOf).toBe('2023-09-28');
    expect(load('a.yaml', 'organizations: [{name: A}]\n').list.asOf).toBe('2023-09-21');
  });

  it('rejects a duplicate (NFKC, case, spaces) and names both lines', () => {
    const csv = 'kind,name,country,title,sort_as,signed_on\norganization,THINK,South Korea,,,\norganization,Other,,,,\norganization,"Think ",,,,\n';
    const messages = failure('dup.csv', csv);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^4:14 Duplicate organization "Think": already listed as "THINK" on line 2/);
  });

  it('rejects full-width duplicates in YAML with positions', () => {
    const yaml = 'organizations:\n  - name: THINK\n  - name: ＴＨＩＮＫ\n';
    expect(failure('dup.yaml', yaml)[0]).toMatch(/^3:11 Duplicate organization "ＴＨＩＮＫ".*line 2/);
  });

  it('rejects an empty name with its line', () => {
    const csv = 'kind,name,country,title,sort_as,signed_on\norganization,A,,,,\norganization,  ,Nowhere,,,\n';
    expect(failure('empty.csv', csv)).toEqual(['3:14 Empty name: every organization needs a name.']);
  });

  it('rejects an unknown kind with its line', () => {
    const csv = 'kind,name,country,title,sort_as,signed_on\ncompany,A,,,,\n';
    expect(failure('kind.csv', csv)).toEqual(['2:1 Unknown kind "company": write organization or individual.']);
  });

  it('rejects a malformed date with its position', () => {
    const csv = 'kind,name,country,title,sort_as,signed_on\norganization,A,,,,2023-02-30\n';
    expect(failure('date.csv', csv)[0]).toMatch(/^2:19 Malformed date "2023-02-30"/);
    expect(failure('date.yaml', 'asOf: 21.9.2023\norganizations: []\n')[0]).toMatch(/^1:7 Malformed date/);
  });

  it('rejects unknown YAML fields and bad JSON with positions', () => {
    expect(failure('typo.yaml', 'organizations:\n  - name: A\n    contry: X\n')[0]).toMatch(/^3:5 .*unknown field `organizations\.0\.contry`/);
    expect(failure('bad.json', '{"organizations": [\n  {"name": "A",}\n]}')[0]).toMatch(/^2:\d+ Not valid JSON/);
  });

  it('rejects a CSV with a wrong header or ragged rows', () => {
    expect(failure('h.csv', 'type,name\norganization,A\n')[0]).toMatch(/^1:1 Unknown column "type"/);
    expect(failure('r.csv', 'kind,name,country,title,sort_as,signed_on\norganization,A,B\n')[0]).toMatch(/^2:1 This row has 3 field\(s\), the header has 6/);
  });
});

describe('CSV field positions', () => {
  it('positionIn counts characters, not UTF-16 units, and follows quoted line breaks', async () => {
    const { positionIn } = await import('../src/signatories/fromCsv.js');
    // the columns as an editor shows them: 😀 and 中 are one character each
    expect(positionIn('organization,😀 中,USA', 17, 4)).toEqual({ line: 4, column: 17 });
    expect(positionIn('a,b', 0, 2)).toEqual({ line: 2, column: 1 });
    // a quoted field with a line break: the field after it is on the record's second line
    expect(positionIn('organization,"Two\r\nLines 😀",USA', 29, 7)).toEqual({ line: 8, column: 10 });
    expect(positionIn('x,"a\nb",c', 8, 1)).toEqual({ line: 2, column: 4 });
  });
});

describe('CSV rows', () => {
  it('of a text without quotes are the rows csv-parse places itself (line, raw text, offset)', async () => {
    const { parseRows, parseRowsWithInfo } = await import('../src/signatories/fromCsv.js');
    const texts = [
      'kind,name\norganization,Amnesty International\nindividual,Zoe Adams\n',
      'kind;name;country\r\norganization;人权观察;\r\n\r\nindividual;😀 Kim;KR',
      '\nkind\tname\n\norganization\tA\t\n,,\n\t\t\n',
      '\r\nkind,name\r\norganization,x,extra\r\norganization\r\n',
      'kind,name',
      '',
    ];
    for (const text of texts) {
      for (const delimiter of [',', ';', '\t']) expect(parseRows(text, delimiter), JSON.stringify(text)).toEqual(parseRowsWithInfo(text, delimiter));
    }
  });
});
