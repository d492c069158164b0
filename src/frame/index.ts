/**
 * Document model + template → letter frame (see ./types.ts). The one place that decides what a
 * letter consists of and in which order; the spacing, alignment and keep-together rules come from
 * the template's `layout:` section, resolved here to points so that the PDF, the Word copy and the
 * HTML edition set the same values.
 */
import { listSettingsOf, type BlockOf, type LetterDocument, type LoadedImage, type Party } from '../model/types.js';
import { countryIn } from '../model/countries.js';
import type { Length, RoleLayout, Template } from '../template/schema.js';
import { fillLabel, formatDate } from '../template/format.js';
import type {
  BlockStyle, BodyStyle, FrameBlock, FrameBlockOf, FrameImage, Letterhead, LetterFrame, ListMarkers, PageFurniture, PartyRole, SignatorySection, SourceRef, StyledRole, TemplateSource, TextRole,
} from './types.js';

export * from './types.js';
export * from './mailing.js';
import { envelopeFormat, mailParties } from './mailing.js';

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
    firstIndentEms: type.firstLineIndent,
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

/** The paper sizes a template may name, in points: A4 (ISO 216: 210 × 297 mm) and US Letter (8½ × 11 in). */
export const PAPER = { A4: { width: 595.28, height: 841.89 }, Letter: { width: 612, height: 792 } } as const;

/** Chinese, Japanese or Korean. */
export const isCjk = (lang: string): boolean => /^(zh|ja|ko)/i.test(lang);

/** The creation date of every edition: SOURCE_DATE_EPOCH if set (reproducible builds), else the letter's date. */
export function creationDate(isoDate: string): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return new Date(`${isoDate}T00:00:00Z`);
}

/** The roles of the signatory list, which follows the letter (and its notes). */
const LIST_ROLES = new Set<FrameBlock['role']>(['signatoriesHeading', 'sectionHeading', 'signatoryEntry']);

/** Index of the letter's last block before the signatory list: the closing, or the last block of the sign-off. */
export function lastLetterBlock(frame: { blocks: FrameBlock[] }): number {
  let last = -1;
  frame.blocks.forEach((block, index) => {
    if (!LIST_ROLES.has(block.role)) last = index;
  });
  return last;
}

/** The text of a signatory entry: name, separator, detail. */
export function entryText(entry: FrameBlockOf<'signatoryEntry'>): string {
  return entry.detail ? `${entry.name}${entry.separator}${entry.detail}` : entry.name;
}

/** The marker of item `index` (0-based) of a list: its number or the bullet. */
export function listMarker(markers: ListMarkers, list: BlockOf<'list'>, index: number, plain = false): string {
  if (list.ordered) return fillLabel(markers.ordered, { n: list.start + index });
  return plain ? markers.plainBullet : markers.bullet;
}

/** The page label of page `page` of `pages` ("第1页，共5页"). */
export function pageLabelText(furniture: PageFurniture, page: number, pages: number): string {
  return fillLabel(furniture.pageLabel.pattern, { page, pages });
}

/** The template's files as messages name them, with their text and field positions from the loader. */
function templateSource(document: LetterDocument): TemplateSource | undefined {
  return document.templateFile;
}

/** Each styled role's own style: that of its first block in a row. */
function roleStyles(template: Template): Record<StyledRole, BlockStyle> {
  const roles = template.layout.roles;
  const out = {} as Record<StyledRole, BlockStyle>;
  for (const role of Object.keys(roles) as StyledRole[]) out[role] = resolveRole(template, roles[role]);
  return out;
}

export function buildFrame(document: LetterDocument): LetterFrame {
  const { meta, template } = document;
  const { labels, layout, type } = template;
  const roles = layout.roles;
  const own = roleStyles(template);
  const letterPath = document.sources?.letter;
  const fromLetter = (field: string): SourceRef | undefined => {
    if (!letterPath) return undefined;
    const at = meta.places?.[field];
    return at ? { path: at.file ?? letterPath, at: { line: at.line, column: at.column } } : { path: letterPath };
  };
  // Labels come from the template: a message about one names the template file.
  const fromTemplate: SourceRef | undefined = document.sources ? { path: document.sources.template } : undefined;
  /** What a block of `role` carries: the role's style, or, past the first in a row, its space between. */
  // The style of a role's later blocks, resolved once (a list of 10,000 names has one).
  const later = new Map<StyledRole, BlockStyle>();
  const laterStyle = (role: StyledRole): BlockStyle => {
    let style = later.get(role);
    if (!style) later.set(role, (style = resolveRole(template, roles[role], false)));
    return style;
  };
  const styled = (role: StyledRole, first: boolean, source?: SourceRef) => {
    const style = first ? own[role] : laterStyle(role);
    const override = style.spaceBefore !== own[role].spaceBefore ? { spaceOverride: style.spaceBefore } : {};
    return { style, first, ...override, ...(source ? { source } : {}) };
  };
  const blocks: FrameBlock[] = [];
  const text = (role: TextRole, value: string, source?: SourceRef) => blocks.push({ role, text: value, ...styled(role, true, source) });
  const parties = (role: PartyRole, list: Party[], field: 'to' | 'cc') =>
    list.forEach((party, index) => {
      blocks.push({ role, lines: [party.name, ...party.address], ...styled(role, index === 0, fromLetter(`${field}.${index}`)) });
    });

  const signers = meta.signature ?? [];
  const signsOff = meta.from !== undefined || signers.length > 0;
  // Letters dated at the foot (the template's sign-off names `date`) move the date there when they have a sign-off.
  const dateAtFoot = signsOff && layout.signOff.order.includes('date');
  if (!dateAtFoot) text('date', formatDate(meta.date, template), fromLetter('date'));
  parties('recipient', meta.to, 'to');
  if (meta.cc.length > 0) {
    text('ccLabel', `${labels.cc}${labels.labelSeparator.trimEnd()}`, fromTemplate);
    parties('ccRecipient', meta.cc, 'cc');
  }
  text('subject', `${labels.subject}${labels.labelSeparator}${meta.subject}`, fromLetter('subject'));
  text('salutation', meta.salutation, fromLetter('salutation'));
  const body = bodyStyle(template);
  blocks.push({ role: 'body', blocks: document.body, style: body });
  text('closing', meta.closing, fromLetter('closing'));
  if (signsOff) {
    const images = document.signatureImages ?? [];
    const imageHeight = layout.signOff.imageHeight;
    for (const part of layout.signOff.order) {
      if (part === 'date') text('date', formatDate(meta.date, template), fromLetter('date'));
      if (part === 'sender' && meta.from) {
        const { name, address, contact } = meta.from;
        blocks.push({ role: 'sender', lines: [name, ...address, ...(contact ? [contact] : [])], ...styled('sender', true, fromLetter('from')) });
      }
      if (part === 'signature') {
        signers.forEach((signer, index) => {
          const loaded = images[index];
          const image = loaded ? frameImage(loaded, imageHeight * (loaded.width / loaded.height), signer.alt) : undefined;
          // A picture wider than half the measure is scaled to fit it.
          const half = (PAPER[template.page.size].width - template.page.margins.left - template.page.margins.right) / 2;
          const fitted = image && image.width > half ? { ...image, width: half, height: (half * image.height) / image.width } : image;
          blocks.push({ role: 'signature', lines: [signer.name, ...signer.title], ...(fitted ? { image: fitted } : {}), ...styled('signature', index === 0, fromLetter(`signature.${index}`)) });
        });
      }
    }
  }

  const list = document.signatories;
  if (list) {
    text('signatoriesHeading', fillLabel(labels.signatoriesHeading, { date: formatDate(list.asOf, template) }), fromTemplate);
    const dataPath = document.sources?.signatories ?? undefined;
    const section = (name: SignatorySection, entries: Array<{ name: string; detail?: string | undefined; place?: SourceRef['at'] }>) => {
      if (entries.length === 0) return;
      blocks.push({ role: 'sectionHeading', section: name, text: labels[name], ...styled('sectionHeading', true, fromTemplate) });
      entries.forEach((entry, index) => {
        const source = dataPath ? { path: dataPath, ...(entry.place ? { at: entry.place } : {}) } : undefined;
        blocks.push({
          role: 'signatoryEntry',
          section: name,
          name: entry.name,
          separator: labels.nameSeparator,
          ...(entry.detail ? { detail: entry.detail } : {}),
          ...styled('signatoryEntry', index === 0, source),
        });
      });
    };
    // Countries in the letter's language (src/model/countries.ts): BE or Belgium → 比利时 in zh-CN,
    // unless the letter or its template keeps names as written.
    const { countries } = listSettingsOf(meta, template);
    // Each country written once looked up once (a list of 10,000 names has a few dozen).
    const shownCountries = new Map<string, string>();
    const shownCountry = (written: string): string => {
      let shown = shownCountries.get(written);
      if (shown === undefined) shownCountries.set(written, (shown = countryIn(written, meta.lang, countries).text));
      return shown;
    };
    section('organizations', list.organizations.map((o) => ({ name: o.name, detail: o.country === undefined ? undefined : shownCountry(o.country), place: o.place })));
    section('individuals', list.individuals.map((p) => ({ name: p.name, detail: p.title, place: p.place })));
  }

  const note = sizeOf(template, 'note');
  const notes = layout.notes;
  const label = sizeOf(template, layout.pageLabel.size);
  const cjk = isCjk(meta.lang);
  const headingBase = template.pdf.subjectRole === 'H1' ? 1 : 0;
  const source = templateSource(document);
  const letterSource = document.sources?.letter;
  const letterhead = document.letterhead ? placeLetterhead(document.letterhead, template.page.margins, PAPER[template.page.size].width) : undefined;
  const margins = { ...template.page.margins };
  // A letterhead on every page: each page's text starts below it (as Word's header pushes the body down).
  if (letterhead?.pages === 'all') margins.top = Math.max(margins.top, letterhead.top + letterhead.image.height + letterhead.gap);
  return {
    lang: meta.lang,
    language: {
      lang: meta.lang,
      cjk,
      emphasis: cjk ? type.emphasis : 'italic',
      emphasisWithoutItalic: type.emphasis,
      keepAll: type.wordBreak === 'keep-all',
      hyphenate: type.hyphenate,
      punctuationCompression: type.punctuationCompression,
      hanLatinSpace: type.hanLatinSpace,
    },
    headings: { subject: template.pdf.subjectRole, signatories: headingBase + 1, sections: headingBase + 2, bodyBase: headingBase },
    listMarkers: { bullet: '•', plainBullet: '-', ordered: '{n}.' },
    page: { name: template.page.size, ...PAPER[template.page.size], margins },
    ...(letterhead ? { letterhead } : {}),
    roles: own,
    blocks,
    body,
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
    linkColor: layout.linkColor,
    fonts: { sourcePath: template.sourcePath, serif: template.fonts.serif, names: template.fonts.serif.map((f) => f.name) },
    word: { ...template.docx },
    text: { ...template.text },
    pdfStandard: template.pdf.standard,
    title: meta.subject,
    ...(meta.author ? { author: withCounts(meta.author, document.signatories) } : {}),
    date: meta.date,
    created: creationDate(meta.date),
    sources: { ...(letterSource ? { letter: letterSource } : {}), ...(source ? { template: source } : {}) },
    mailing: {
      parties: mailParties(document, fromLetter),
      ...(meta.from ? { sender: { ...meta.from, address: [...meta.from.address], ...(fromLetter('from') ? { source: fromLetter('from') } : {}) } } : {}),
      envelope: envelopeFormat(document),
      recipientSuffix: template.mailing?.recipientSuffix ?? '',
    },
  };
}

/** An image at a width in points (its height in proportion). */
function frameImage(image: LoadedImage, width: number, alt: string | undefined): FrameImage {
  return { type: image.type, data: image.data, width, height: (width * image.height) / image.width, path: image.path, ...(alt ? { alt } : {}) };
}

/** The letterhead placed on the page: aligned within the margins, and the drop the first page needs below it. */
function placeLetterhead(letterhead: NonNullable<LetterDocument['letterhead']>, margins: { top: number; left: number; right: number }, pageWidth: number): Letterhead {
  const { spec } = letterhead;
  const measure = pageWidth - margins.left - margins.right;
  const width = Math.min(spec.width, pageWidth);
  const image = frameImage(letterhead.image, width, spec.alt);
  const x = spec.align === 'left' ? margins.left : spec.align === 'right' ? margins.left + measure - width : margins.left + (measure - width) / 2;
  const foot = spec.top + image.height + spec.gap;
  return { image, x: Math.max(0, x), top: spec.top, align: spec.align, pages: spec.pages, gap: spec.gap, firstPageDrop: spec.pages === 'first' ? Math.max(0, foot - margins.top) : 0 };
}

/**
 * The counts of the signatory list in a metadata text (the PDF's Author, the Word copy's creator,
 * the HTML author): `{organisations}` (or `{organizations}`), `{individuals}` and `{signatories}`
 * are filled from the data on every build, so the metadata never carries a count typed by hand
 * that the list has outgrown.
 */
export function withCounts(text: string, list: LetterDocument['signatories']): string {
  const organisations = list?.organizations.length ?? 0;
  const individuals = list?.individuals.length ?? 0;
  return fillLabel(text, { organisations, organizations: organisations, individuals, signatories: organisations + individuals });
}
