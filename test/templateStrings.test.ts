/**
 * Template strings are input like any other: markup, quotes and line breaks in every string field
 * of a template reach the editions as text, never as elements; the strings that land in CSS or
 * in font tables (font names, the language tag) are refused at their line instead. The HTML
 * edition is parsed with parse5 and its elements compared with those of the same letter built
 * with the stock template: the payload adds none.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { parse } from 'parse5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { fixture } from './helpers.js';

/** Ends the style element, opens a script, a refresh and a link; quotes and a line break. */
const PAYLOAD = 'P</style><script>alert(1)</script><meta http-equiv="refresh" content="0;url=https://evil.example/"><a href="https://evil.example/">x</a>\'"\\nQ';
const yamlString = (s: string) => `"${s.replace(/"/g, '\\"')}"`;

/** Every string field of the template that reaches an edition's text, with the payload. */
const TEXT_FIELDS: Array<[RegExp, string]> = [
  [/^ {2}cc: .*$/m, `  cc: ${yamlString(PAYLOAD)}`],
  [/^ {2}subject: .*$/m, `  subject: ${yamlString(PAYLOAD)}`],
  [/^ {2}labelSeparator: .*$/m, `  labelSeparator: ${yamlString(`: ${PAYLOAD}`)}`],
  [/^ {2}signatoriesHeading: .*$/m, `  signatoriesHeading: ${yamlString(`${PAYLOAD} {date}`)}`],
  [/^ {2}organizations: .*$/m, `  organizations: ${yamlString(PAYLOAD)}`],
  [/^ {2}individuals: .*$/m, `  individuals: ${yamlString(PAYLOAD)}`],
  [/^ {2}nameSeparator: .*$/m, `  nameSeparator: ${yamlString(` ${PAYLOAD} `)}`],
  [/^ {2}page: .*$/m, `  page: ${yamlString(`${PAYLOAD} {page}/{pages}`)}`],
  [/^ {2}sectionBreak: .*$/m, `  sectionBreak: ${yamlString(PAYLOAD)}`],
  [/^ {2}format: .*$/m, `  format: ${yamlString(`{day} {monthName} ${PAYLOAD} {year}`)}`],
  [/^ {2}monthNames: .*$/m, `  monthNames: [${Array.from({ length: 12 }, () => yamlString(PAYLOAD)).join(', ')}]`],
  [/^ {2}notesRule: .*$/m, `  notesRule: ${yamlString(PAYLOAD)}`],
];

let dir: string;

async function build(project: string, formats: string): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(['build', '--format', formats], { cwd: project, stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stderr };
}

/** A copy of the English fixture with a cc line and a section break, the template edited. */
function project(name: string, editTemplate: (yaml: string) => string): string {
  const p = path.join(dir, name);
  cpSync(fixture('letters', 'en-letter'), p, { recursive: true });
  const letter = readFileSync(path.join(p, 'letter.md'), 'utf8')
    .replace('subject:', 'cc:\n  - name: A Copy Recipient\nsubject:')
    .replace('A second paragraph', '---\n\nA second paragraph');
  writeFileSync(path.join(p, 'letter.md'), letter);
  writeFileSync(path.join(p, 'house.yaml'), editTemplate(readFileSync(path.join(p, 'house.yaml'), 'utf8')));
  return p;
}

interface Node5 {
  nodeName: string;
  tagName?: string;
  attrs?: Array<{ name: string; value: string }>;
  childNodes?: Node5[];
  content?: Node5;
  value?: string;
}

/** Every element of the document as `tag[attr names]`, and all its text. */
function elements(html: string): { tags: string[]; text: string } {
  const tags: string[] = [];
  let text = '';
  const walk = (node: Node5) => {
    if (node.tagName) tags.push(`${node.tagName}[${(node.attrs ?? []).map((a) => (a.name === 'http-equiv' ? `${a.name}=${a.value}` : a.name)).sort().join(',')}]`);
    if (node.nodeName === '#text') text += node.value ?? '';
    for (const child of node.childNodes ?? []) walk(child);
    if (node.content) walk(node.content);
  };
  walk(parse(html) as unknown as Node5);
  return { tags: tags.sort(), text };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'letterpress-template-strings-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('template strings', () => {
  it('markup, quotes and line breaks in every text field stay text in the HTML and Word editions', async () => {
    const stock = project('stock', (t) => t);
    // (the Word copy without embedded fonts: subsetting them is slow and beside the point here)
    const hostile = project('hostile', (t) =>
      TEXT_FIELDS.reduce((yaml, [field, line]) => {
        expect(yaml).toMatch(field);
        return yaml.replace(field, line);
      }, t).replace(/^docx:\n/m, 'docx:\n  embedFonts: none\n'));
    expect((await build(stock, 'html')).code).toBe(0);
    expect((await build(hostile, 'html,docx')).code).toBe(0);
    const before = elements(readFileSync(path.join(stock, 'out', 'letter.html'), 'utf8'));
    const html = readFileSync(path.join(hostile, 'out', 'letter.html'), 'utf8');
    const after = elements(html);
    // The same elements with the same attributes: nothing injected (no script, refresh, link).
    expect(after.tags).toEqual(before.tags);
    expect(after.tags.filter((t) => /^(script|a|meta)\[/.test(t) && /refresh|^script/.test(t))).toEqual([]);
    // The payload is there as text, in the labels that are text.
    expect(after.text.split('P</style><script>alert(1)</script>').length - 1).toBeGreaterThanOrEqual(5);
    // In the style sheet, only as escaped CSS strings: the element still ends where it should.
    const style = /<style>([^]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(style).toContain('content: "P\\3c /style\\3e \\3c script\\3e alert(1)\\3c /script\\3e ');
    expect(style).not.toMatch(/<|\n\s*Q/);
    const documentXml = strFromU8(unzipSync(readFileSync(path.join(hostile, 'out', 'letter.docx')))['word/document.xml'] as Uint8Array);
    expect(documentXml).not.toContain('</style>');
    expect(documentXml).toContain('P&lt;/style&gt;&lt;script&gt;');
  }, 60_000);

  const refused: Array<[string, (t: string) => string, RegExp]> = [
    ['a font name', (t) => t.replace('  serif:\n', `  serif:\n    - { package: "@expo-google-fonts/noto-serif-sc", regular: "400Regular/NotoSerifSC_400Regular.ttf", name: ${yamlString(`Noto Serif SC${PAYLOAD}`)} }\n`), /^house\.yaml:\d+:\d+ error Template field `fonts\.serif\.0\.name`: a font name has letters, digits, spaces and \. _ - \+ only \(no quotes, <, >, ; or line breaks\)/m],
    ['docx.fallbackEastAsiaFont', (t) => t.replace(/fallbackEastAsiaFont: .*/, `fallbackEastAsiaFont: ${yamlString(`SimSun</style>`)}`), /^house\.yaml:\d+:\d+ error Template field `docx\.fallbackEastAsiaFont`: a font name has/m],
    ['docx.eastAsiaFont with a line break', (t) => t.replace(/eastAsiaFont: .*/, 'eastAsiaFont: "Noto\\nSerif"'), /^house\.yaml:\d+:\d+ error Template field `docx\.eastAsiaFont`: a font name has/m],
    ['docx.latinFont with a quote', (t) => t.replace(/latinFont: .*/, `latinFont: ${yamlString('Source "Serif')}`), /^house\.yaml:\d+:\d+ error Template field `docx\.latinFont`: a font name has/m],
    ['the language tag', (t) => t.replace(/^lang: .*/m, `lang: ${yamlString('en" onload="x')}`), /^house\.yaml:2:\d+ error Template field `lang`: write a language tag such as en, zh-CN or ko/m],
  ];
  for (const [name, edit, message] of refused) {
    it(`${name} with markup is refused at its line`, async () => {
      const p = project(name.replace(/\W+/g, '-'), edit);
      const result = await build(p, 'html');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
    });
  }
});
