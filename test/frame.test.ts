/**
 * The letter frame: roles in reading order with their source positions, lengths resolved from
 * the template, and one template value driving the PDF, Word and HTML editions alike.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { build } from '../src/build/build.js';
import { buildContext } from '../src/context.js';
import { unzipSync, strFromU8 } from 'fflate';
import { loadLetter } from '../src/load/letter.js';
import { buildFrame, points, resolveRole } from '../src/frame/index.js';
import type { LetterDocument } from '../src/model/types.js';
import { LetterLayout } from '../src/render/pdf/layout/index.js';
import { buildDocx } from '../src/render/docx/index.js';
import { renderHtml } from '../src/render/html/index.js';
import { Packer } from 'docx';
import { fixture, root } from './helpers.js';

const seed = await loadLetter(path.join(root, 'letter.md'));

describe('letter frame', () => {
  it('lists the roles of the seed letter in reading order', () => {
    const roles = buildFrame(seed.document).blocks.map((b) => b.role);
    const collapsed = roles.filter((role, i) => role !== roles[i - 1]);
    expect(collapsed).toEqual([
      'date', 'recipient', 'ccLabel', 'ccRecipient', 'subject', 'salutation', 'body', 'closing',
      'signatoriesHeading', 'sectionHeading', 'signatoryEntry', 'sectionHeading', 'signatoryEntry',
    ]);
    expect(roles.filter((r) => r === 'signatoryEntry')).toHaveLength(61);
  });

  it('carries where each block came from: front-matter fields and signatory entries', () => {
    const blocks = buildFrame(seed.document).blocks;
    const date = blocks.find((b) => b.role === 'date');
    expect(date && 'source' in date ? date.source : null).toEqual({ path: 'letter.md', at: { line: 3, column: 7 } });
    const secondCc = blocks.filter((b) => b.role === 'ccRecipient')[1];
    expect(secondCc && 'source' in secondCc ? secondCc.source?.at : null).toMatchObject({ line: 14 });
    const entry = blocks.find((b) => b.role === 'signatoryEntry' && b.name === 'Human Rights Watch (HRW)');
    expect(entry && 'source' in entry ? entry.source?.path : null).toBe('signatories.yaml');
    expect(entry && 'source' in entry ? entry.source?.at : null).toMatchObject({ line: expect.any(Number) });
  });

  it('resolves template lengths: lines of the block’s own text, ems and points', () => {
    expect(points(1, 11.5, 1.75)).toBeCloseTo(20.125);
    expect(points('0.25em', 9.5, 1.45)).toBeCloseTo(2.375);
    expect(points('6pt', 9.5, 1.45)).toBe(6);
    const { template } = seed.document;
    const entry = resolveRole(template, template.layout.roles.signatoryEntry);
    expect(entry.size).toBe(template.type.listSize);
    expect(entry.hang).toBeCloseTo(2 * template.type.listSize);
  });
});

describe('one template value drives every edition', async () => {
  const { document } = await loadLetter(fixture('letters', 'features', 'letter.md'));
  /** The same letter with the space between recipients set to `space` in the template. */
  const withSpace = (space: string): LetterDocument => {
    const { template } = document;
    const roles = { ...template.layout.roles, recipient: { ...template.layout.roles.recipient, spaceBetween: space } };
    return { ...document, template: { ...template, layout: { ...template.layout, roles } } };
  };

  for (const space of ['7pt', '23pt']) {
    it(`sets ${space} between two recipients in the PDF, the Word copy and the HTML edition`, async () => {
      const doc = withSpace(space);
      const value = Number.parseFloat(space);
      const frame = buildFrame(doc);
      const layout = new LetterLayout(frame);
      layout.layoutLetter();
      const recipientStarts = layout.flow.filter((line) => line.block === 'to' && line.spaceBefore > 0).map((line) => line.spaceBefore);
      expect(recipientStarts[1]).toBeCloseTo(value);

      const docx = unzipSync(new Uint8Array(await Packer.toBuffer(buildDocx(frame))));
      const xml = strFromU8(docx['word/document.xml'] as Uint8Array);
      expect(xml).toContain(`<w:pStyle w:val="Recipient"/><w:spacing w:before="${value * 20}"/></w:pPr><w:r><w:t xml:space="preserve">第二位收信人`);

      expect(renderHtml(frame)).toContain(`.recipient ~ .recipient { margin-top: ${value}pt; }`);
    });
  }
});

describe('one frame per build', () => {
  it('builds the frame once and hands it to every edition and the manifest', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'letterpress-frame-'));
    try {
      let calls = 0;
      const frames: unknown[] = [];
      const result = await build(fixture('letters', 'features', 'letter.md'), { formats: ['txt', 'html', 'docx', 'pdf'], outDir: out }, {
        buildFrame: (document) => {
          calls++;
          const frame = buildFrame(document);
          frames.push(frame);
          return frame;
        },
      });
      expect(calls).toBe(1);
      expect(result.editions.map((e) => e.format)).toEqual(['txt', 'html', 'docx', 'pdf']);
      expect(readdirSync(out).sort()).toEqual(['letter.docx', 'letter.html', 'letter.manifest.json', 'letter.pdf', 'letter.txt']);
      // The manifest's names are the frame's signatory entries, name, separator and detail.
      const manifest = JSON.parse(readFileSync(path.join(out, 'letter.manifest.json'), 'utf8')) as { organizations: string[] };
      const [frame] = frames as Array<ReturnType<typeof buildFrame>>;
      const organizations = frame?.blocks.flatMap((b) => (b.role === 'signatoryEntry' && b.section === 'organizations' ? [`${b.name}${b.detail ? `${b.separator}${b.detail}` : ''}`] : []));
      expect(manifest.organizations).toEqual(organizations);
      expect(organizations?.length).toBeGreaterThan(0);
      // What the next build reuses is the build context's, listed in one place.
      const kept = new Map(buildContext.list().map((c) => [c.name, c.size]));
      expect([...kept.keys()].sort()).toEqual([
        'advances', 'collators', 'deflated package parts', 'deflated page contents', 'deflated pdf font files', 'face runs', 'font chains', 'font faces', 'font file hashes', 'font file hashes by identity', 'font subsets', 'harfbuzz fonts', 'hyphenators', 'last letter', 'layout memos', 'patched Word styles', 'pdf fonts', 'replaced face ids', 'sane glyphs', 'sane texts', 'space glyphs', 'templates',
      ]);
      expect(kept.get('templates')).toBeGreaterThan(0);
      expect(kept.get('font faces')).toBeGreaterThan(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('resolves each role once: a further block carries only the space that differs', () => {
    const frame = buildFrame(seed.document);
    const recipients = frame.blocks.filter((b) => b.role === 'ccRecipient');
    expect(recipients[0]?.first).toBe(true);
    expect(recipients[0]?.style).toBe(frame.roles.ccRecipient);
    for (const later of recipients.slice(1)) {
      expect(later.first).toBe(false);
      if (later.spaceOverride === undefined) expect(later.style.spaceBefore).toBe(frame.roles.ccRecipient.spaceBefore);
      else expect(later.style.spaceBefore).toBe(later.spaceOverride);
    }
    expect(frame.language).toMatchObject({ lang: 'zh-CN', cjk: true });
    expect(frame.headings).toEqual({ subject: 'H1', signatories: 2, sections: 3, bodyBase: 1 });
    expect(frame.page).toMatchObject({ width: 595.28, height: 841.89 });
  });
});
