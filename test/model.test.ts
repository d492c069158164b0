import { describe, expect, it } from 'vitest';
import { loadLetterFromText } from '../src/load/letter.js';
import { BuildError } from '../src/diagnostics/index.js';
import type { Inline } from '../src/model/types.js';
import { fixture } from './helpers.js';

const FRONT = `---
lang: zh-CN
date: 2023-09-21
to:
  - name: 收信人
subject: 主旨
salutation: 您好：
closing: 谢谢！
---
`;
const FRONT_LINES = FRONT.split('\n').length - 1; // body starts on line FRONT_LINES + 1
const letterPath = fixture('letters', 'inline.md');

async function load(body: string) {
  return loadLetterFromText({ letterPath, text: FRONT + body });
}

async function messages(body: string): Promise<string[]> {
  try {
    const { files } = await load(body);
    return files.flatMap((f) => f.messages.map((m) => `${m.line}:${m.column} ${m.fatal ? 'error' : 'warning'} ${m.ruleId}`));
  } catch (err) {
    if (err instanceof BuildError) return err.files.flatMap((f) => f.messages.map((m) => `${m.line}:${m.column} ${m.fatal ? 'error' : 'warning'} ${m.ruleId}`));
    throw err;
  }
}

const refs = (inlines: Inline[]): number[] =>
  inlines.flatMap((i) => (i.type === 'noteRef' ? [i.number] : 'children' in i ? refs(i.children) : []));

describe('footnotes', () => {
  it('numbers notes in order of first reference, not of definition', async () => {
    const { document } = await load('甲[^b]乙[^a]丙[^c]\n\n[^a]: A\n[^b]: B\n[^c]: C\n');
    expect(document.notes.map((n) => [n.number, n.label])).toEqual([[1, 'b'], [2, 'a'], [3, 'c']]);
  });

  it('reuses the number of a repeated reference', async () => {
    const { document } = await load('甲[^x]乙[^y]丙[^x]\n\n[^x]: X\n[^y]: Y\n');
    const paragraph = document.body[0];
    expect(paragraph?.type === 'paragraph' && refs(paragraph.children)).toEqual([1, 2, 1]);
    expect(document.notes).toHaveLength(2);
  });

  it('keeps every paragraph of a multi-paragraph note', async () => {
    const { document } = await load('甲[^m]\n\n[^m]: First paragraph.\n\n    Second paragraph.\n\n    Third.\n');
    expect(document.notes[0]?.blocks.map((b) => b.type)).toEqual(['paragraph', 'paragraph', 'paragraph']);
  });

  it('refuses a note referenced from inside a note, and a note that references itself, where they stand', async () => {
    expect(await messages('甲[^a]乙[^b]\n\n[^a]: A, see[^c]\n[^b]: B\n[^c]: C\n')).toEqual([
      `${FRONT_LINES + 3}:13 error nested-footnote`,
      `${FRONT_LINES + 5}:1 warning unused-footnote`,
    ]);
    expect(await messages('甲[^a]\n\n[^a]: A, again[^a]\n')).toEqual([`${FRONT_LINES + 3}:15 error self-referencing-footnote`]);
  });

  it('reports an undefined reference with its position', async () => {
    expect(await messages('第一段。\n\n甲乙[^missing]丙\n')).toEqual([`${FRONT_LINES + 3}:3 error undefined-footnote`]);
  });

  it('reports a duplicate definition with its position', async () => {
    expect(await messages('甲[^a]\n\n[^a]: one\n\n[^a]: two\n')).toEqual([`${FRONT_LINES + 5}:1 error duplicate-footnote`]);
  });

  it('warns about an unused definition, with its position, and builds', async () => {
    expect(await messages('甲[^a]\n\n[^a]: one\n[^spare]: two\n')).toEqual([`${FRONT_LINES + 4}:1 warning unused-footnote`]);
  });
});

describe('inline rules', () => {
  const text = async (body: string) => {
    const { document } = await load(body);
    const p = document.body[0];
    return p?.type === 'paragraph' ? p.children.map((i) => (i.type === 'text' ? i.value : `<${i.type}>`)).join('') : '';
  };

  it('drops a soft break between two CJK characters, keeps a space elsewhere', async () => {
    expect(await text('中文\n换行。English\nwords，中文\nEnglish')).toBe('中文换行。English words，中文 English');
  });

  it('keeps a space for a soft break next to Hangul', async () => {
    expect(await text('한국어\n문장')).toBe('한국어 문장');
  });

  it('does not emit links with unsafe schemes, and warns', async () => {
    const { document, files } = await load('[点击](javascript:alert(1)) [ok](https://example.org)\n');
    const p = document.body[0];
    expect(p?.type === 'paragraph' && p.children.filter((i) => i.type === 'link').length).toBe(1);
    expect(files[0]?.messages.map((m) => m.ruleId)).toEqual(['unsafe-link']);
  });

  for (const [name, body, rule] of [
    ['raw HTML', '<div>x</div>\n', 'unsupported-html'],
    ['an image', '![x](a.png)\n', 'unsupported-image'],
    ['a table', '| a |\n| - |\n| b |\n', 'unsupported-table'],
    ['a code block', '```\ncode\n```\n', 'unsupported-code'],
  ] as const) {
    it(`rejects ${name} with a position`, async () => {
      expect(await messages(body)).toEqual([`${FRONT_LINES + 1}:1 error ${rule}`]);
    });
  }

  it('renders lists, quotes, headings, emphasis, code and breaks', async () => {
    const { document } = await load('# 标题\n\n- 一\n- 二\n\n> 引文 *强调* **加粗** `code`  \n下一行\n\n---\n');
    expect(document.body.map((b) => b.type)).toEqual(['heading', 'list', 'blockquote', 'thematicBreak']);
  });
});

describe('front matter', () => {
  it('points at a bad field', async () => {
    const bad = FRONT.replace('date: 2023-09-21', 'date: 21/09/2023');
    try {
      await loadLetterFromText({ letterPath, text: `${bad}正文\n` });
      throw new Error('expected failure');
    } catch (err) {
      expect(err).toBeInstanceOf(BuildError);
      const m = (err as BuildError).files[0]?.messages[0];
      expect([m?.line, m?.column, m?.ruleId]).toEqual([3, 7, 'front-matter-schema']);
    }
  });

  it('refuses a signatory file outside the letter folder', async () => {
    const text = FRONT.replace('closing: 谢谢！', 'closing: 谢谢！\nsignatories: ../../../../etc/passwd');
    await expect(loadLetterFromText({ letterPath, text: `${text}正文\n` })).rejects.toThrow(/outside the letter's folder/);
  });
});
