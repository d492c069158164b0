/**
 * A Word copy that letterpress wrote and a partner edited → the letter's Markdown with the edits.
 *
 * The current letter is rendered to a Word copy in memory and read back the same way as the
 * edited one; what reads the same is unchanged and keeps its Markdown byte for byte, so importing
 * an untouched copy gives letter.md back unchanged. What differs is written anew: a changed block
 * or note as Markdown, a changed header field in the front matter (through the yaml Document,
 * which keeps its comments). Notes keep their labels: a Word footnote is matched to a note of the
 * letter by its text, then by similarity; a footnote added in Word gets a new label.
 * Signatory entries are never written into the letter: they come back as proposals.
 */
import { Packer } from 'docx';
import type { Root, RootContent } from 'mdast';
import { parseDocument } from 'yaml';
import type { LetterDocument } from '../../model/types.js';
import { buildDocx } from '../../render/docx/index.js';
import { buildFrame, entryText } from '../../frame/index.js';
import { formatDate } from '../../template/format.js';
import { parseMarkdown } from '../../parse/parseMarkdown.js';
import { STYLE } from '../../render/docx/styles.js';
import { readDocx, type Piece, type ReadDocx, type ReadParagraph, type TrackedMode, type TrackedChange, type Unmapped, type WordComment } from './read.js';
import { KNOWN_STYLES, sortByRole, textOf, type Entry, type Header, type Roles } from './roles.js';
import { blockMarkdown, bodyBlocks, noteMarkdown, trimStart, type MarkdownContext } from './markdown.js';
import { similarity } from './similarity.js';
import { proposeSignatoryChanges, type SignatoryProposal } from './signatories.js';
import { at } from '../../util/checked.js';

export { DocxUnreadable } from './read.js';
export type { SignatoryProposal } from './signatories.js';

export interface ImportOptions {
  /** Tracked changes: accepted (the default) or rejected. */
  tracked: TrackedMode;
}

export interface NoteOutcome {
  label: string;
  state: 'unchanged' | 'changed' | 'new' | 'removed';
}

export interface ImportResult {
  /** The letter's new Markdown (equal to the old text when nothing changed). */
  text: string;
  changes: TrackedChange[];
  comments: Array<WordComment & { line?: number }>;
  unmapped: Unmapped[];
  notes: NoteOutcome[];
  /** Header fields that changed, as front-matter keys. */
  fields: string[];
  signatories: SignatoryProposal[];
  /** The copy's signatory list is older than the data: its date, the data's, and how many signed since. */
  list?: { copyAsOf: string; dataAsOf: string; signedSince: number };
  /** Hardly a paragraph of the letter is found in the copy: it looks made from another letter. */
  foreign?: true;
}

/** Copies already made, per loaded letter (a loaded document is not changed afterwards). */
const copies = new WeakMap<LetterDocument, Promise<ReadDocx>>();

/** The letter as letterpress would write its Word copy now, read back. */
function currentCopy(document: LetterDocument): Promise<ReadDocx> {
  let copy = copies.get(document);
  if (!copy) {
    copy = Packer.toBuffer(buildDocx(buildFrame(document)))
      .then((buffer) => readDocx(new Uint8Array(buffer), KNOWN_STYLES, 'accept'))
      .catch((err: unknown) => {
        copies.delete(document);
        throw err;
      });
    copies.set(document, copy);
  }
  return copy;
}

/** How many Word paragraphs the renderer writes for each model block (src/render/docx/index.ts). */
function paragraphCount(block: LetterDocument['body'][number]): number {
  switch (block.type) {
    case 'blockquote':
      return block.children.reduce((n, b) => n + paragraphCount(b), 0);
    case 'list':
      return block.items.reduce((n, item) => n + item.reduce((m, b) => m + paragraphCount(b), 0), 0);
    default:
      return 1;
  }
}

type LabelOf = { id: (id: string) => string | undefined; mark: (n: number) => string | undefined };

/** A paragraph as a comparable key: its role and what it shows, with notes named by label. */
function paragraphKey(para: ReadParagraph, labels: LabelOf, note = false): string {
  const pieces = note ? trimStart(para.pieces) : para.pieces;
  return JSON.stringify([
    para.style,
    para.centred && para.style === STYLE.body,
    pieces.map((p: Piece) =>
      p.kind === 'text' ? [p.text, p.format.bold, p.format.italics, p.format.dots, p.link ?? ''] : p.kind === 'break' ? ['br', p.link ?? ''] : p.kind === 'noteRef' ? ['note', labels.id(p.id) ?? `?${p.id}`] : ['note', labels.mark(p.number) ?? `#${p.number}`],
    ),
  ]);
}

/** Footnote ids in order of first reference in the body. */
function referencedNotes(body: ReadParagraph[]): string[] {
  const seen: string[] = [];
  for (const para of body) for (const p of para.pieces) if (p.kind === 'noteRef' && !seen.includes(p.id)) seen.push(p.id);
  return seen;
}

const noteText = (paragraphs: ReadParagraph[]) => paragraphs.map((p) => textOf(p.pieces)).join('\n').trim();

/** The letter's ISO date from the text of the date line, read with the template's own pattern. */
export function parseLetterDate(text: string, document: LetterDocument): string | null {
  const { format, monthNames } = document.template.date;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const order: string[] = [];
  const pattern = format
    .split(/(\{year\}|\{month\}|\{day\}|\{monthName\})/)
    .map((part) => {
      if (part === '{year}' || part === '{month}' || part === '{day}' || part === '{monthName}') {
        order.push(part);
        if (part === '{monthName}') return `(${(monthNames ?? []).map(escape).join('|')})`;
        return part === '{year}' ? '(\\d{4})' : '(\\d{1,2})';
      }
      return escape(part).replace(/\s+/g, '\\s*');
    })
    .join('');
  const match = new RegExp(`^\\s*${pattern}\\s*$`, 'i').exec(text.normalize('NFKC'));
  if (!match) return null;
  let year = 0;
  let month = 0;
  let day = 0;
  order.forEach((part, i) => {
    const value = match[i + 1] as string;
    if (part === '{year}') year = Number(value);
    else if (part === '{month}') month = Number(value);
    else if (part === '{day}') day = Number(value);
    else month = (monthNames ?? []).findIndex((m) => m.toLowerCase() === value.toLowerCase()) + 1;
  });
  const iso = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso ? null : iso;
}

interface Slice {
  start: number;
  end: number;
}

const sliceOf = (node: RootContent): Slice => ({ start: node.position?.start.offset ?? 0, end: node.position?.end.offset ?? 0 });

/**
 * Bring the edits of a Word copy into the letter. `letterText`: letter.md as stored;
 * `document`: the letter loaded from it; `bytes`: the edited DOCX.
 */
export async function importDocx(letterText: string, document: LetterDocument, bytes: Uint8Array, options: ImportOptions): Promise<ImportResult> {
  const edited = readDocx(bytes, KNOWN_STYLES, options.tracked);
  const base = await currentCopy(document);
  const { template } = document;
  const unmapped = [...edited.unmapped];
  const knownNames = new Set([...document.meta.to, ...document.meta.cc].map((p) => p.name));
  const baseRoles = sortByRole(base.paragraphs, template, knownNames, []);
  const roles = sortByRole(edited.paragraphs, template, knownNames, unmapped);
  if (!edited.paragraphs.some((p) => p.style !== null && p.style !== 'Normal')) {
    unmapped.push({ what: 'no paragraph in a letterpress style: is this a Word copy letterpress wrote?', where: 'the whole document', text: '' });
  }

  // ---- notes: edited footnote ids → labels of the letter's notes
  const baseLabel = new Map(document.notes.map((n) => [String(n.number), n.label]));
  const baseLabels: LabelOf = { id: (id) => baseLabel.get(id), mark: (n) => baseLabel.get(String(n)) };
  const baseNoteKey = new Map(document.notes.map((n) => [n.label, (base.footnotes.get(String(n.number)) ?? []).map((p) => paragraphKey(p, baseLabels, true)).join('\n')]));
  const baseNoteText = new Map(document.notes.map((n) => [n.label, noteText(base.footnotes.get(String(n.number)) ?? [])]));
  const order = referencedNotes(roles.body);
  const labelOfEdited = new Map<string, string>();
  const used = new Set<string>();
  const editedText = new Map(order.map((id) => [id, noteText(edited.footnotes.get(id) ?? [])]));
  // Same text first (a note unchanged, wherever it moved), then the most similar remaining note.
  for (const id of order) {
    const note = document.notes.find((n) => !used.has(n.label) && baseNoteText.get(n.label) === editedText.get(id));
    if (note) {
      labelOfEdited.set(id, note.label);
      used.add(note.label);
    }
  }
  const pairs: Array<{ id: string; label: string; score: number }> = [];
  for (const id of order.filter((i) => !labelOfEdited.has(i))) {
    for (const note of document.notes.filter((n) => !used.has(n.label))) {
      const score = similarity(editedText.get(id) ?? '', baseNoteText.get(note.label) ?? '') + (String(note.number) === id ? 0.05 : 0);
      if (score >= 0.5) pairs.push({ id, label: note.label, score });
    }
  }
  for (const pair of pairs.sort((a, b) => b.score - a.score)) {
    if (labelOfEdited.has(pair.id) || used.has(pair.label)) continue;
    labelOfEdited.set(pair.id, pair.label);
    used.add(pair.label);
  }
  const taken = new Set(document.notes.map((n) => n.label.toLowerCase()));
  order.forEach((id, index) => {
    if (labelOfEdited.has(id)) return;
    let n = index + 1;
    while (taken.has(`note-${n}`)) n += 1;
    taken.add(`note-${n}`);
    labelOfEdited.set(id, `note-${n}`);
  });
  const editedLabels: LabelOf = { id: (id) => labelOfEdited.get(id), mark: (n) => baseLabel.get(String(n)) };

  // ---- the letter's Markdown: top-level nodes as stored
  const tree: Root = parseMarkdown(letterText);
  const yamlNode = tree.children.find((n) => n.type === 'yaml');
  const blockNodes = tree.children.filter((n) => !['yaml', 'definition', 'footnoteDefinition'].includes(n.type));
  const definitionNodes = new Map(
    tree.children.flatMap((n) => (n.type === 'footnoteDefinition' ? [[(n.label ?? n.identifier).toLowerCase(), n] as const] : [])),
  );
  const topIndex = new Map(tree.children.map((n, i) => [n, i]));

  // ---- body: each block of the letter as the keys of its Word paragraphs
  const counts = document.body.map(paragraphCount);
  const baseBody = baseRoles.body;
  const aligned = counts.reduce((a, b) => a + b, 0) === baseBody.length && blockNodes.length === document.body.length;
  const blockKeys: string[][] = [];
  let from = 0;
  for (const count of aligned ? counts : []) {
    blockKeys.push(baseBody.slice(from, from + count).map((p) => paragraphKey(p, baseLabels)));
    from += count;
  }
  const editedKeys = roles.body.map((p) => paragraphKey(p, editedLabels));
  const headingDepths = new Map<string, 1 | 2 | 3 | 4 | 5 | 6>();
  document.body.forEach((block, i) => {
    if (block.type === 'heading') headingDepths.set(textOf(baseBody[counts.slice(0, i).reduce((a, b) => a + b, 0)]?.pieces ?? []).trim(), Math.min(6, Math.max(1, block.depth)) as 1 | 2 | 3 | 4 | 5 | 6);
  });
  const commonDepth = [...headingDepths.values()][0] ?? 2;
  const md: MarkdownContext = {
    cjk: /^(zh|ja|ko)/i.test(template.lang),
    sectionBreak: template.labels.sectionBreak,
    labelOfId: (id) => labelOfEdited.get(id),
    labelOfNumber: (n) => baseLabel.get(String(n)),
    headingDepth: (text) => headingDepths.get(text) ?? commonDepth,
  };

  type Item = { original: RootContent } | { markdown: string };
  const items: Item[] = [];
  const usedBlocks = new Set<number>();
  let expected = 0;
  let pending: ReadParagraph[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    for (const node of bodyBlocks(pending, md)) items.push({ markdown: blockMarkdown(node) });
    pending = [];
  };
  const matches = (block: number, from: number) => {
    const keys = blockKeys[block] as string[];
    return keys.length > 0 && keys.every((key, k) => editedKeys[from + k] === key);
  };
  for (let p = 0; p < roles.body.length; ) {
    let block = -1;
    if (expected < blockKeys.length && !usedBlocks.has(expected) && matches(expected, p)) block = expected;
    else block = blockKeys.findIndex((_keys, b) => !usedBlocks.has(b) && matches(b, p));
    if (block >= 0) {
      flush();
      usedBlocks.add(block);
      items.push({ original: at(blockNodes, block) });
      p += at(blockKeys, block).length;
      expected = block + 1;
    } else {
      pending.push(at(roles.body, p));
      p += 1;
    }
  }
  flush();
  const kept = items.filter((item) => 'original' in item).length;
  // A short letter (the two paragraphs `init` writes) is flagged when none of its paragraphs is found.
  const foreign = (document.body.length >= 3 && kept * 5 < document.body.length) || (document.body.length >= 2 && kept === 0);
  if (foreign) {
    unmapped.push({
      what: `only ${kept} of the letter's ${document.body.length} paragraphs are found unchanged in the Word copy: was it made from another letter (or another language edition)? Check --letter before writing`,
      where: 'the whole document',
      text: '',
    });
  }

  // ---- notes, in order of first reference
  const notes: NoteOutcome[] = [];
  const noteItems: Item[] = [];
  for (const id of order) {
    const label = labelOfEdited.get(id) as string;
    const paragraphs = edited.footnotes.get(id) ?? [];
    const key = paragraphs.map((p) => paragraphKey(p, editedLabels, true)).join('\n');
    const node = definitionNodes.get(label.toLowerCase());
    if (node && baseNoteKey.get(label) === key) {
      noteItems.push({ original: node });
      notes.push({ label, state: 'unchanged' });
    } else {
      noteItems.push({ markdown: noteMarkdown(label, paragraphs, md) });
      notes.push({ label, state: node ? 'changed' : 'new' });
    }
  }
  for (const note of document.notes) if (!used.has(note.label)) notes.push({ label: note.label, state: 'removed' });

  // ---- front matter
  // The sign-off is read, not written back: an edit to it is said, for the letter's from: and signature:.
  const signOffText = (r: Roles) => r.signOff.map((line) => line.text).join('\n');
  if (signOffText(roles) !== signOffText(baseRoles)) {
    unmapped.push({ what: 'an edited sender or signature block (not imported: change `from:` or `signature:` in the letter)', where: roles.signOff[0]?.where ?? 'the sign-off', text: signOffText(roles) });
  }
  const fields = changedFields(baseRoles.header, roles.header);
  let frontMatter: string | null = null;
  if (fields.length > 0 && yamlNode) {
    const doc = parseDocument(yamlNode.value);
    for (const field of fields) {
      const value = fieldValue(field, roles.header, document, unmapped);
      if (value !== undefined) doc.set(field, value);
    }
    frontMatter = `---\n${doc.toString({ lineWidth: 0 }).replace(/\n+$/, '')}\n---`;
  }

  // ---- assemble: stored text where nothing changed, blocks kept in their stored spacing
  const storedNotes: RootContent[] = tree.children.filter((n) => n.type === 'footnoteDefinition');
  if (noteItems.length === storedNotes.length && noteItems.every((item) => 'original' in item)) {
    // Every note unchanged: they stay in the order the letter keeps them.
    noteItems.sort((a, b) => storedNotes.indexOf((a as { original: RootContent }).original) - storedNotes.indexOf((b as { original: RootContent }).original));
  }
  const same = (list: Item[], stored: RootContent[]) => list.length === stored.length && list.every((item, i) => 'original' in item && item.original === stored[i]);
  const unchanged = frontMatter === null && same(items, blockNodes) && same(noteItems, storedNotes);
  let text = letterText;
  if (!unchanged) {
    const first = tree.children.find((n) => n.type !== 'yaml');
    const last = tree.children.at(-1);
    const head = letterText.slice(0, first ? sliceOf(first).start : letterText.length);
    const prefix = frontMatter && yamlNode ? `${letterText.slice(0, sliceOf(yamlNode).start)}${frontMatter}${head.slice(sliceOf(yamlNode).end)}` : head;
    // Link reference definitions stay where they are, after the text.
    const definitions = tree.children.filter((n) => n.type === 'definition').map((n) => ({ original: n }) as Item);
    const sequence = [...items, ...noteItems, ...definitions];
    let out = first ? prefix : `${prefix}\n\n`;
    sequence.forEach((item, i) => {
      if (i > 0) {
        const previous = at(sequence, i - 1);
        const a = 'original' in previous ? topIndex.get(previous.original) : undefined;
        const b = 'original' in item ? topIndex.get(item.original) : undefined;
        out += 'original' in previous && 'original' in item && a !== undefined && b === a + 1 ? letterText.slice(sliceOf(previous.original).end, sliceOf(item.original).start) : '\n\n';
      }
      out += 'original' in item ? letterText.slice(sliceOf(item.original).start, sliceOf(item.original).end) : item.markdown;
    });
    out += last ? letterText.slice(sliceOf(last).end) || '\n' : '\n';
    if (!out.endsWith('\n')) out += '\n';
    text = out;
  }

  // ---- comments, placed in letter.md where their block is kept
  const lineOf = new Map<ReadParagraph, number>();
  // (a comment in a kept block points at that block's line)
  let p = 0;
  for (const item of items) {
    if ('original' in item) {
      const block = blockNodes.indexOf(item.original);
      for (let k = 0; k < (blockKeys[block]?.length ?? 0); k++) {
        const para = roles.body[p + k];
        if (para) lineOf.set(para, item.original.position?.start.line ?? 0);
      }
      p += blockKeys[block]?.length ?? 0;
    } else p += 1;
  }
  // A place in a footnote is named by the note's label rather than Word's internal id.
  const inNote = (where: string) =>
    where.replace(/^footnote \(id ([^)]*)\)/, (whole, id: string) => {
      const label = labelOfEdited.get(id);
      return label ? `note [^${label}]` : whole;
    });
  const comments = edited.comments.map((c) => {
    const line = c.paragraph ? lineOf.get(c.paragraph) : undefined;
    return { ...c, where: inNote(c.where), ...(line ? { line } : {}) };
  });
  const changes = edited.changes.map((c) => ({ ...c, where: inNote(c.where) }));

  const frame = buildFrame(document);
  const list = document.signatories;
  const signedOn = new Map([...(list?.organizations ?? []), ...(list?.individuals ?? [])].flatMap((e) => (e.signedOn ? [[e.name, e.signedOn] as const] : [])));
  const baseEntries: Entry[] = frame.blocks.flatMap((b) => {
    if (b.role !== 'signatoryEntry') return [];
    const date = signedOn.get(b.name);
    return [{ section: b.section, text: entryText(b), where: '', name: b.name, ...(b.detail ? { detail: b.detail } : {}), ...(date ? { signedOn: date } : {}) }];
  });
  const copyAsOf = roles.listHeading === null ? null : listDate(roles.listHeading, document);
  const { proposals: signatories, signedSince } = list ? proposeSignatoryChanges(baseEntries, roles.entries, document, copyAsOf) : { proposals: [], signedSince: 0 };
  return { text, changes, comments, unmapped, notes, fields, signatories, ...(foreign ? { foreign: true as const } : {}), ...(copyAsOf !== null && list && copyAsOf < list.asOf ? { list: { copyAsOf, dataAsOf: list.asOf, signedSince } } : {}) };
}

/** The as-of date in the heading of the copy's signatory list ("Signatories (as of 21 September 2023)"). */
function listDate(heading: string, document: LetterDocument): string | null {
  const [before = '', after = ''] = document.template.labels.signatoriesHeading.split('{date}');
  const text = heading.normalize('NFKC');
  const [b, a] = [before.normalize('NFKC'), after.normalize('NFKC')];
  if (!text.startsWith(b) || !text.endsWith(a)) return null;
  return parseLetterDate(text.slice(b.length, text.length - a.length), document);
}

type Field = 'date' | 'to' | 'cc' | 'subject' | 'salutation' | 'closing';

function changedFields(before: Header, after: Header): Field[] {
  const fields: Field[] = ['date', 'to', 'cc', 'subject', 'salutation', 'closing'];
  return fields.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

function fieldValue(field: Field, header: Header, document: LetterDocument, unmapped: Unmapped[]): unknown {
  const { labels } = document.template;
  switch (field) {
    case 'date': {
      const iso = header.date === null ? null : parseLetterDate(header.date, document);
      if (iso) return iso;
      unmapped.push({
        what: `a date that does not read as the template's pattern "${document.template.date.format}" (e.g. "${formatDate(document.meta.date, document.template)}"); the front matter keeps date: ${document.meta.date}`,
        where: 'the date line',
        text: header.date ?? '',
      });
      return undefined;
    }
    case 'to':
    case 'cc':
      return header[field].map(([name, ...address]) => ({ name, address }));
    case 'subject': {
      const prefix = `${labels.subject}${labels.labelSeparator}`;
      const text = header.subject ?? '';
      if (text.startsWith(prefix)) return text.slice(prefix.length).trim();
      const trimmed = prefix.trim();
      return text.startsWith(trimmed) ? text.slice(trimmed.length).trim() : text;
    }
    default:
      return header[field] ?? undefined;
  }
}

export type { Roles, TrackedChange, Unmapped, WordComment };
