/**
 * The paragraphs of a Word copy, read by the named style of each frame role
 * (src/render/docx/styles.ts): the header fields, the body's paragraphs, the signatory entries.
 * The same reading is applied to the edited copy and to the copy letterpress would write from
 * the current letter, so that "unchanged" means "reads the same" whatever Word cannot show
 * (a heading's level, code spans, the choice between `*` and `_`).
 */
import type { Template } from '../../template/schema.js';
import { STYLE } from '../../render/docx/styles.js';
import type { Piece, ReadParagraph, Unmapped } from './read.js';

/** The styles of the letter's body (a paragraph in any other known style is a header or list part). */
export const BODY_STYLES: ReadonlySet<string> = new Set([STYLE.body, STYLE.heading, STYLE.quote, STYLE.listItem]);

export const KNOWN_STYLES: readonly string[] = [...new Set([...Object.values(STYLE), 'Normal'])];

export interface Header {
  date: string | null;
  to: string[][];
  cc: string[][];
  subject: string | null;
  salutation: string | null;
  closing: string | null;
}

export interface Entry {
  section: 'organizations' | 'individuals';
  text: string;
  where: string;
  /** Name, detail and signing date, when known (the entries letterpress writes from the data). */
  name?: string;
  detail?: string;
  signedOn?: string;
}

export interface Roles {
  header: Header;
  /** The signatory list's heading (it carries the list's as-of date). */
  listHeading: string | null;
  body: ReadParagraph[];
  entries: Entry[];
  /** The sign-off's lines (sender and signers, from the front matter's `from:` and `signature:`). */
  signOff: Array<{ text: string; where: string }>;
}

export function textOf(pieces: Piece[]): string {
  return pieces.map((p) => (p.kind === 'text' ? p.text : p.kind === 'break' ? '\n' : '')).join('');
}

/**
 * Sort the paragraphs of a read document by role. `knownNames`: recipients' and copies' names
 * of the current letter (a name paragraph is told from an address line by its spacing, or by
 * being one of these names). A paragraph that fits no role is reported in `unmapped`.
 */
export function sortByRole(paragraphs: ReadParagraph[], template: Template, knownNames: ReadonlySet<string>, unmapped: Unmapped[]): Roles {
  const header: Header = { date: null, to: [], cc: [], subject: null, salutation: null, closing: null };
  const body: ReadParagraph[] = [];
  const entries: Entry[] = [];
  const signOff: Roles['signOff'] = [];
  let listHeading: string | null = null;
  let section: Entry['section'] = 'organizations';
  let afterSalutation = false;
  let afterClosing = false;
  const single = (field: 'date' | 'subject' | 'salutation' | 'closing', para: ReadParagraph) => {
    const text = textOf(para.pieces).trim();
    if (header[field] === null) header[field] = text;
    else if (text) unmapped.push({ what: `a second ${field} paragraph (only the first is read)`, where: para.where, text });
  };
  const party = (list: string[][], para: ReadParagraph) => {
    const text = textOf(para.pieces).trim();
    if (!text) return;
    const last = list.at(-1);
    if (last && para.noSpaceBefore && !knownNames.has(text)) last.push(text);
    else list.push([text]);
  };
  for (const para of paragraphs) {
    const text = textOf(para.pieces).trim();
    switch (para.style) {
      case STYLE.date:
        single('date', para);
        break;
      case STYLE.recipient:
        party(header.to, para);
        break;
      case STYLE.ccRecipient:
        party(header.cc, para);
        break;
      case STYLE.signatoriesHeading:
        listHeading ??= text;
        break;
      case STYLE.ccLabel:
      case STYLE.footer:
        break; // the template's labels
      case STYLE.subject:
        single('subject', para);
        break;
      case STYLE.salutation:
        single('salutation', para);
        afterSalutation = true;
        break;
      case STYLE.closing:
        single('closing', para);
        afterClosing = true;
        break;
      case STYLE.sender:
      case STYLE.signature:
        if (text) signOff.push({ text, where: para.where });
        break;
      case STYLE.sectionHeading:
        section = text === template.labels.individuals ? 'individuals' : 'organizations';
        break;
      case STYLE.signatoryEntry:
        if (text) entries.push({ section, text, where: para.where });
        break;
      case STYLE.body:
      case STYLE.heading:
      case STYLE.quote:
      case STYLE.listItem:
        body.push(para);
        break;
      default:
        if (!text) break; // an empty paragraph in a style of its own: nothing to lose
        if (afterSalutation && !afterClosing) {
          // A paragraph a partner typed in another style inside the body: kept as a body paragraph, and said.
          unmapped.push({ what: `a paragraph in the style "${para.styleName}", which letterpress does not write (read as a body paragraph)`, where: para.where, text });
          body.push({ ...para, style: STYLE.body });
        } else {
          unmapped.push({ what: `a paragraph in the style "${para.styleName}", which has no place in the letter (not imported)`, where: para.where, text });
        }
    }
  }
  return { header, listHeading, body, entries, signOff };
}
