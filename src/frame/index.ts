/**
 * Document model + template → letter frame (see ./types.ts). The one place that decides what a
 * letter consists of and in which order; the spacing, alignment and keep-together rules come from
 * the template's `layout:` section, resolved here to points so that the PDF, the Word copy and the
 * HTML edition set the same values.
 */
import type { LetterDocument, Party } from '../model/types.js';
import type { Length, RoleLayout, Template } from '../template/schema.js';
import { fillLabel, formatDate } from '../template/format.js';
import type { BlockStyle, BodyStyle, FrameBlock, LetterFrame, PartyRole, SignatorySection, SourceRef, TextRole } from './types.js';

export * from './types.js';

type SizeName = RoleLayout['size'];

/** Text size and line height of one of the template's three sizes. */
export function sizeOf(template: Template, size: SizeName): { size: number; lineHeight: number } {
  const { type } = template;
  if (size === 'note') return { size: type.noteSize, lineHeight: type.noteLineHeight };
  if (size === 'list') return { size: type.listSize, lineHeight: type.listLineHeight };
  return { size: type.bodySize, lineHeight: type.lineHeight };
}

/** A template length in points: a bare number counts lines of text set at `size` × `lineHeight`. */
export function points(length: Length, size: number, lineHeight: number): number {
  if (typeof length === 'number') return length * size * lineHeight;
  const value = Number.parseFloat(length);
  return length.endsWith('em') ? value * size : value;
}

/** A role's layout in points; `first` says whether it is the first block of its role in a row. */
export function resolveRole(template: Template, layout: RoleLayout, first = true): BlockStyle {
  const { size, lineHeight } = sizeOf(template, layout.size);
  const space = first ? layout.spaceBefore : (layout.spaceBetween ?? layout.spaceBefore);
  return {
    size,
    lineHeight,
    bold: layout.bold,
    align: layout.align,
    indent: layout.indent * size,
    firstIndent: layout.firstIndent * size,
    hang: layout.hang * size,
    spaceBefore: points(space, size, lineHeight),
    keepWithNext: layout.keepWithNext,
  };
}

export function bodyStyle(template: Template): BodyStyle {
  const { type, layout } = template;
  const size = type.bodySize;
  const line = size * type.lineHeight;
  return {
    paragraph: {
      size,
      lineHeight: type.lineHeight,
      bold: false,
      align: 'justify',
      indent: 0,
      firstIndent: type.firstLineIndent * size,
      hang: 0,
      spaceBefore: 0,
      keepWithNext: false,
    },
    paragraphSpacing: type.paragraphSpacing * line,
    headingSpaceBefore: points(layout.body.headingSpaceBefore, size, type.lineHeight),
    quoteIndent: layout.body.quoteIndent * size,
    listIndent: layout.body.listIndent * size,
    bulletAt: layout.body.bulletAt * size,
    sectionBreak: template.labels.sectionBreak,
  };
}

export function buildFrame(document: LetterDocument): LetterFrame {
  const { meta, template } = document;
  const { labels, layout } = template;
  const roles = layout.roles;
  const letterPath = document.sources?.letter;
  const fromLetter = (field: string): SourceRef | undefined => {
    if (!letterPath) return undefined;
    const at = meta.places?.[field];
    return at ? { path: at.file ?? letterPath, at: { line: at.line, column: at.column } } : { path: letterPath };
  };
  // Labels come from the template: a message about one names the template file.
  const fromTemplate: SourceRef | undefined = document.sources ? { path: document.sources.template } : undefined;
  const blocks: FrameBlock[] = [];
  const text = (role: TextRole, value: string, source?: SourceRef) =>
    blocks.push({ role, text: value, style: resolveRole(template, roles[role]), ...(source ? { source } : {}) });
  const parties = (role: PartyRole, list: Party[], field: 'to' | 'cc') =>
    list.forEach((party, index) => {
      const source = fromLetter(`${field}.${index}`);
      blocks.push({ role, lines: [party.name, ...party.address], style: resolveRole(template, roles[role], index === 0), ...(source ? { source } : {}) });
    });

  text('date', formatDate(meta.date, template), fromLetter('date'));
  parties('recipient', meta.to, 'to');
  if (meta.cc.length > 0) {
    text('ccLabel', `${labels.cc}${labels.labelSeparator.trimEnd()}`, fromTemplate);
    parties('ccRecipient', meta.cc, 'cc');
  }
  text('subject', `${labels.subject}${labels.labelSeparator}${meta.subject}`, fromLetter('subject'));
  text('salutation', meta.salutation, fromLetter('salutation'));
  blocks.push({ role: 'body', blocks: document.body, style: bodyStyle(template) });
  text('closing', meta.closing, fromLetter('closing'));

  const list = document.signatories;
  if (list) {
    text('signatoriesHeading', fillLabel(labels.signatoriesHeading, { date: formatDate(list.asOf, template) }), fromTemplate);
    const dataPath = document.sources?.signatories ?? undefined;
    const section = (name: SignatorySection, entries: Array<{ name: string; detail?: string | undefined; place?: SourceRef['at'] }>) => {
      if (entries.length === 0) return;
      blocks.push({ role: 'sectionHeading', section: name, text: labels[name], style: resolveRole(template, roles.sectionHeading), ...(fromTemplate ? { source: fromTemplate } : {}) });
      entries.forEach((entry, index) => {
        const detail = entry.detail ? { detail: entry.detail } : {};
        const source = dataPath ? { source: { path: dataPath, ...(entry.place ? { at: entry.place } : {}) } } : {};
        blocks.push({
          role: 'signatoryEntry',
          section: name,
          name: entry.name,
          ...detail,
          text: entry.detail ? `${entry.name}${labels.nameSeparator}${entry.detail}` : entry.name,
          style: resolveRole(template, roles.signatoryEntry, index === 0),
          ...source,
        });
      });
    };
    section('organizations', list.organizations.map((o) => ({ name: o.name, detail: o.country, place: o.place })));
    section('individuals', list.individuals.map((p) => ({ name: p.name, detail: p.title, place: p.place })));
  }

  const note = sizeOf(template, 'note');
  const notes = layout.notes;
  const label = sizeOf(template, layout.pageLabel.size);
  return {
    lang: meta.lang,
    blocks,
    notes: document.notes,
    notesStyle: {
      size: note.size,
      lineHeight: note.lineHeight,
      hang: notes.hang * note.size,
      separator: notes.separator * note.size * note.lineHeight,
      ruleLength: notes.ruleLength,
      ruleWeight: notes.ruleWeight,
      minLines: notes.minLines,
      markScale: notes.markScale,
      markRise: notes.markRise,
    },
    furniture: { pageLabel: { pattern: labels.page, size: label.size, fromBottom: layout.pageLabel.fromBottom } },
    signatoryColumns: { ...layout.signatoryColumns, gap: layout.signatoryColumns.gap * sizeOf(template, 'list').size },
    title: meta.subject,
    ...(meta.author ? { author: meta.author } : {}),
    date: meta.date,
  };
}
