/**
 * The mailing outputs of a build, made in memory beside the editions and written with them (all
 * or none): a copy of the PDF per addressee and the print file of all copies (`--per-recipient`),
 * envelopes (`--envelopes`) and address labels (`--labels`). An addressee without an address is
 * refused, at its place in the letter, only when envelopes or labels are asked for.
 */
import path from 'node:path';
import { lstat, readFile, rm } from 'node:fs/promises';
import type { VFile } from 'vfile';
import { BuildError, errorAt, reportError } from '../diagnostics/index.js';
import { copyDocument, type EnvelopeFormat, type MailParty } from '../frame/mailing.js';
import type { LetterFrame } from '../frame/types.js';
import type { LoadedLetter } from '../load/letter.js';
import { fieldPlace } from '../load/letter.js';
import { MissingGlyph } from '../typeset/errors.js';

export type MailingOutput = 'copy' | 'print' | 'envelopes' | 'labels';

export interface MailingOptions {
  /** One PDF per addressee and a print file of all copies. */
  perRecipient?: boolean;
  /** Envelopes: true for the template's layout, or a layout that overrides it. */
  envelopes?: boolean | EnvelopeFormat;
  labels?: boolean;
}

export interface MailingFile {
  output: MailingOutput;
  /** Manifest key: `copy:to-xi-jinping`, `print`, `envelopes`, `labels`. */
  key: string;
  path: string;
  data: Uint8Array;
  ms: number;
}

/** Refuse addressees without an address (envelopes and labels need one), each at its place in the letter. */
export function refuseMissingAddresses(letter: LoadedLetter, parties: MailParty[], asked: string): void {
  const files = new Set<VFile>();
  for (const party of parties) {
    if (party.address.some((line) => line.trim().length > 0)) continue;
    const { file, place } = fieldPlace(letter.document.meta, letter.files, `${party.field}.${party.index}`);
    reportError(
      file,
      `"${party.name}" has no address, and ${asked} need one: add its lines under the name (address: [line, line]) in the front matter's \`${party.field}:\` list, or build without ${asked === 'labels' ? '--labels' : '--envelopes'}.`,
      place,
      'address-missing',
    );
    files.add(file);
  }
  if (files.size > 0) throw new BuildError([...files]);
}

/** The six boxes of a Chinese envelope take a six-digit postcode; another is refused at its addressee's line. */
function refuseForeignPostcodes(letter: LoadedLetter, parties: MailParty[]): void {
  const files = new Set<VFile>();
  for (const party of parties) {
    if (party.postcode === undefined || /^\d{6}$/.test(party.postcode)) continue;
    const { file, place } = fieldPlace(letter.document.meta, letter.files, `${party.field}.${party.index}`);
    reportError(file, `The postcode "${party.postcode}" of "${party.name}" does not fill the six boxes of a Chinese envelope (six digits, e.g. 100017): correct it, or for an address abroad use --envelope-layout DL and write the postcode in its address lines.`, place, 'postcode-invalid');
    files.add(file);
  }
  if (files.size > 0) throw new BuildError([...files]);
}

/**
 * Make the requested mailing outputs. `buildFrame` makes the frame of each copy (the build's
 * own step); `glyphFailure` turns a character no font has into the build's positioned error.
 */
export async function renderMailing(
  letter: LoadedLetter,
  frame: LetterFrame,
  base: string,
  options: MailingOptions,
  buildFrame: (document: LoadedLetter['document']) => LetterFrame,
  glyphFailure: (err: MissingGlyph) => BuildError,
): Promise<MailingFile[]> {
  const { parties } = frame.mailing;
  const asked = [options.envelopes ? 'envelopes' : '', options.labels ? 'labels' : ''].filter(Boolean).join(' and ');
  if (asked) refuseMissingAddresses(letter, parties, asked);
  const out: MailingFile[] = [];
  const pdf = await import('../render/pdf/mailing.js');
  const timed = async (output: MailingOutput, key: string, path: string, make: () => Promise<Uint8Array>) => {
    const started = performance.now();
    const data = await make();
    out.push({ output, key, path, data, ms: performance.now() - started });
  };
  try {
    if (options.perRecipient) {
      const started = performance.now();
      const made = await pdf.renderCopies(parties.map((party) => buildFrame(copyDocument(letter.document, party))));
      const share = (performance.now() - started) / (made.copies.length + 1);
      made.copies.forEach((data, k) => {
        const slug = parties[k]?.slug ?? `to-${k + 1}`;
        out.push({ output: 'copy', key: `copy:${slug}`, path: `${base}.${slug}.pdf`, data, ms: share });
      });
      out.push({ output: 'print', key: 'print', path: `${base}.print.pdf`, data: made.print, ms: share });
    }
    if (options.envelopes) {
      const format = options.envelopes === true ? frame.mailing.envelope : options.envelopes;
      if (format === 'CN') refuseForeignPostcodes(letter, parties);
      await timed('envelopes', 'envelopes', `${base}.envelopes.pdf`, () => pdf.renderEnvelopes({ ...frame, mailing: { ...frame.mailing, envelope: format } }));
    }
    if (options.labels) await timed('labels', 'labels', `${base}.labels.pdf`, () => pdf.renderLabels(frame));
  } catch (err) {
    if (err instanceof MissingGlyph) throw glyphFailure(err);
    if (err instanceof pdf.AddressDoesNotFit) {
      const reason = `The address of "${err.who}" does not fit ${err.where}, even set at ${err.minSize} pt; nothing was written. Shorten its longest line ("${err.longest}") or split it into two address lines${err.where.includes('label') ? '' : ', or choose a larger envelope (--envelope-layout C5)'}.`;
      throw errorAt(letter.files, err.source, err.who, reason, 'address-too-long');
    }
    throw err;
  }
  return out;
}

/**
 * After a `--per-recipient` build is written: the copies the previous build made for addressees
 * the letter no longer has are removed, so that out/ never holds a copy to mail to somebody who
 * was taken off (nor an old text under a current name). Only a file the previous manifest lists as
 * a copy (`letter.to-….pdf` beside it), still a regular file with the bytes it recorded, is
 * removed: a file somebody changed or put there is left alone. Returns the names removed.
 */
export async function removeDroppedCopies(
  base: string,
  previous: Record<string, { file: string; sha256: string }>,
  current: readonly MailingFile[],
  hash: (data: Uint8Array) => string,
): Promise<string[]> {
  const kept = new Set(current.map((m) => m.key));
  const prefix = `${path.basename(base)}.to-`;
  const removed: string[] = [];
  for (const [key, entry] of Object.entries(previous)) {
    if (!key.startsWith('copy:') || kept.has(key)) continue;
    if (entry.file !== path.basename(entry.file) || !entry.file.startsWith(prefix) || !entry.file.endsWith('.pdf')) continue;
    const file = path.join(path.dirname(base), entry.file);
    if (current.some((m) => m.path === file)) continue;
    try {
      if (!(await lstat(file)).isFile() || hash(await readFile(file)) !== entry.sha256) continue;
      await rm(file);
      removed.push(entry.file);
    } catch {
      // already gone, or not ours to remove
    }
  }
  return removed;
}
