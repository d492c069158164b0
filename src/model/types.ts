/**
 * The one document model of a letter, from which the letter frame (src/frame) is built.
 *
 * Parsing (src/parse) produces mdast; src/model/fromMdast turns it into this model, numbering
 * footnotes once; src/signatories loads, validates and sorts the signatory list once. Renderers
 * (src/render/*) read only the frame: they never look at Markdown or this model, and never
 * renumber or re-sort anything.
 */
import type { Position, SourcePoint } from '../diagnostics/index.js';
import type { LetterheadLayout, ListSettings, Template } from '../template/schema.js';
import type { FieldKeyOf, SignatoryKind } from './signatoryFields.js';

/** Today's date, YYYY-MM-DD in UTC: the default signing date, release name and a new letter's date. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** A calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Inline content. Text is already normalised (soft breaks resolved, CJK rule applied). */
export type Inline =
  /** `at`: where the text starts in the letter (the model knows no file names; the document's `sources` do). */
  | { type: 'text'; value: string; at?: SourcePoint }
  | { type: 'emphasis'; children: Inline[] }
  | { type: 'strong'; children: Inline[] }
  | { type: 'link'; url: string; children: Inline[] }
  | { type: 'code'; value: string }
  | { type: 'break' }
  /** A footnote mark. `number` is the note's number, assigned once in reading order. */
  | { type: 'noteRef'; number: number; at?: SourcePoint };

export type Block =
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'heading'; depth: number; children: Inline[] }
  | { type: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { type: 'blockquote'; children: Block[] }
  | { type: 'thematicBreak' };

export type InlineType = Inline['type'];
export type BlockType = Block['type'];
export type InlineOf<K extends InlineType> = Extract<Inline, { type: K }>;
export type BlockOf<K extends BlockType> = Extract<Block, { type: K }>;

export interface Note {
  number: number;
  label: string;
  blocks: Block[];
}

export interface Party {
  name: string;
  address: string[];
  /** Postcode, for the postcode boxes of a Chinese envelope. */
  postcode?: string;
}

/** The sender (`from:`): the organisation, its address lines and one contact line. */
export interface Sender {
  name: string;
  address: string[];
  contact?: string;
}

/** One person who signs (`signature:`): name, title lines, a picture of the handwritten signature. */
export interface Signer {
  name: string;
  title: string[];
  /** Path of the signature image as the letter wrote it (resolved and checked by the loader). */
  image?: string;
  /** Alternative text of the signature image. */
  alt?: string;
}

/** The image types a letterhead or signature may be (src/io/image.ts reads them from the bytes). */
export type ImageType = 'png' | 'jpeg' | 'svg';

/** An image's type and intrinsic size, as the check of its bytes found them (src/io/image.ts). */
export interface CheckedImage {
  type: ImageType;
  /** Intrinsic size in pixels (SVG: user units of its viewBox or width/height). */
  width: number;
  height: number;
}

/**
 * An image named by the letter or the template (letterhead, signature), read and checked by the
 * loader: its bytes, its type (sniffed, not taken from the name), its intrinsic size.
 */
export interface LoadedImage extends CheckedImage {
  data: Uint8Array;
  /** The file as messages name it. */
  path: string;
  /** The file's real absolute path (watched for changes). */
  file: string;
}

/**
 * Where and how large the letterhead stands (template `letterhead:` or the letter's override):
 * width, top and gap in points (the height follows the image's proportions); without `alt` the
 * image is decoration (a PDF artifact, alt="" in HTML).
 */
export type LetterheadSpec = LetterheadLayout;

/** A front-matter field's place: in the letter, or in the shared letter.yaml named by `file`. */
export interface FieldPlace extends Position {
  file?: string;
}

export interface LetterMeta {
  lang: string;
  /** ISO date, YYYY-MM-DD. */
  date: string;
  to: Party[];
  cc: Party[];
  subject: string;
  salutation: string;
  closing: string;
  author?: string;
  /** The sender (organisation, address, contact): in the sign-off, and the return address on envelopes and labels. */
  from?: Sender;
  /** Who signs, in order. */
  signature?: Signer[];
  /** A letterhead for this letter (replaces the template's). */
  letterhead?: LetterheadSpec | false;
  /** Path of the signatory data file, relative to the letter. */
  signatories?: string;
  template?: string;
  /** This letter's choice over its template's `list` settings. */
  list?: { [K in keyof ListSettings]?: ListSettings[K] | undefined };
  /** Where each front-matter field stands, by its path ("date", "to.0", "cc.1", "from"). */
  places?: Record<string, FieldPlace>;
}

/**
 * Which name of a signatory with names per language the list shows: the one in the letter's
 * language (`local`), the original (the first given), or both, "local (original)".
 */
export type NameDisplay = ListSettings['names'];

/** The list settings a letter uses: its front matter's `list:` over its template's. */
export function listSettingsOf(meta: Pick<LetterMeta, 'list'>, template: { list: ListSettings }): ListSettings {
  return { countries: meta.list?.countries ?? template.list.countries, names: meta.list?.names ?? template.list.names };
}

/** A signatory of a kind: its name, the optional fields of its kind (src/model/signatoryFields.ts), where it stands in the data file. */
export type SignatoryEntry<K extends SignatoryKind> = { name: string; place?: Position } & Partial<Record<Exclude<FieldKeyOf<K>, 'name'>, string>>;
export type Organization = SignatoryEntry<'organization'>;
export type Individual = SignatoryEntry<'individual'>;

export interface SignatoryList {
  /** ISO date the list is current as of. */
  asOf: string;
  /** Sorted by the model; renderers keep this order. */
  organizations: Organization[];
  individuals: Individual[];
}

export interface LetterDocument {
  meta: LetterMeta;
  body: Block[];
  notes: Note[];
  signatories: SignatoryList | null;
  template: Template;
  /** The input files, as the user named them (for messages that point into them). */
  sources?: { letter: string; signatories: string | null; template: string };
  /** For a template field: the file that wrote it (as messages name it), its text and the field's place, as the loader read them. */
  templateFile?: { where(field: string[]): { path: string; text: string; place: Position | undefined } };
  /** The letterhead as resolved (letter's override, else the template's), its image read and checked. */
  letterhead?: { spec: LetterheadSpec; image: LoadedImage };
  /** Each signer's signature image (by index in `meta.signature`), read and checked. */
  signatureImages?: Array<LoadedImage | undefined>;
}
