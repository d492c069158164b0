/**
 * Running `letterpress import-docx EDITED.docx [--letter letter.md] [--write]`: a Word copy that
 * partners edited → the review (tracked changes, comments, notes, signatory proposals, a
 * unified diff of the letter); `--write` applies it through the safe write path, and only if
 * the new letter loads.
 */
import { countryCodeShown, countryIn } from '../../model/countries.js';
import { stat, readFile } from 'node:fs/promises';
import { VFile } from 'vfile';
import { createTwoFilesPatch } from 'diff';
import { BuildError, fileFailure, formatDiagnostics, reportError, reportWarning } from '../../diagnostics/index.js';
import { readInputWithForm } from '../../io/readInput.js';
import { encodeText } from '../../io/decode.js';
import { writeFilesAtomically } from '../../io/writeAtomic.js';
import { loadLetterFromText } from '../../load/letter.js';
import { DocxUnreadable, importDocx, type ImportResult, type SignatoryProposal } from '../../import/docx/index.js';
import { formatImportReport } from '../../import/docx/report.js';
import { MAX_LETTER_BYTES } from '../../load/limits.js';
import { listSettingsOf, type LetterDocument } from '../../model/types.js';
import { nearKey } from '../../signatories/nearDuplicates.js';
import type { NewSignatory } from '../../signatories/schema.js';

/** A Word copy of a letter is well under a few MB even with embedded fonts. */
const MAX_DOCX_BYTES = 50 * 1024 * 1024;

export interface ImportDocxOptions {
  letter: string;
  /** The letter was chosen for the copy (by its name, else the folder's letter), not named with --letter. */
  chosen?: boolean;
  write?: boolean;
  reject?: boolean;
  keepTracked?: boolean;
  applySignatories?: boolean;
}

export interface ImportDocxOutcome {
  result: ImportResult;
  /** The letter's text changed (and was written, with --write). */
  changed: boolean;
  written: boolean;
}

type Print = (text: string) => void;

async function readDocxFile(file: string): Promise<Uint8Array> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw fileFailure(file, 'This is a folder, not a Word document; give the edited .docx file.', 'docx-missing');
    if (info.size > MAX_DOCX_BYTES) throw fileFailure(file, `The file is ${(info.size / 1024 / 1024).toFixed(1)} MB; a Word copy of a letter is far smaller. Is it the right file?`, 'input-too-large');
    return new Uint8Array(await readFile(file));
  } catch (err) {
    if (err instanceof BuildError) throw err;
    throw fileFailure(file, 'Cannot read the file; check the path of the edited Word copy.', 'docx-missing');
  }
}

/**
 * Apply the proposals through the signatory editor, one by one (its checks refuse a duplicate).
 * A correction adds the corrected entry before it removes the old one, so that a refusal leaves
 * the old entry in place; when only the country or title changes (same name), the old entry is
 * removed first and put back if the new one is refused.
 */
export async function applySignatoryProposals(dataFile: string, proposals: SignatoryProposal[], document: LetterDocument, print: Print): Promise<void> {
  const { addSignatory, amendSignatory, removeSignatory } = await import('../../signatories/edit.js');
  const list = document.signatories;
  const lang = document.meta.lang;
  const { countries } = listSettingsOf(document.meta, document.template);
  const localised = countries === 'localised';
  /**
   * The data value for a country as typed into the copy: what the data had when the copy shows it
   * unchanged; in a letter that shows countries in its language, the code of a country typed in
   * that language (荷兰 → NL), so the other editions show it in theirs; else as typed.
   */
  const countryValue = (shown: string, before: string | undefined): string => {
    if (before !== undefined && countryIn(before, lang, countries).text === shown) return before;
    return (localised && countryCodeShown(shown, lang)) || shown;
  };
  const detailOf = (entry: { kind: NewSignatory['kind']; detail?: string | undefined }, before?: string) =>
    entry.detail ? (entry.kind === 'organization' ? { country: countryValue(entry.detail, before) } : { title: entry.detail }) : {};
  const extra = (name: string) => {
    const org = list?.organizations.find((o) => o.name === name);
    const person = list?.individuals.find((p) => p.name === name);
    return { ...(org?.signedOn ?? person?.signedOn ? { signedOn: (org?.signedOn ?? person?.signedOn) as string } : {}), ...(person?.sortAs ? { sortAs: person.sortAs } : {}) };
  };
  for (const p of proposals) {
    if (p.action === 'add') {
      await addSignatory(dataFile, { kind: p.entry.kind, name: p.entry.name, ...detailOf(p.entry) });
      print(`Added ${p.entry.kind} "${p.entry.name}" to ${dataFile}.\n`);
    } else if (p.action === 'remove') {
      await removeSignatory(dataFile, p.entry.name);
      print(`Removed ${p.entry.kind} "${p.entry.name}" from ${dataFile}.\n`);
    } else {
      const before = list?.organizations.find((o) => o.name === p.from.name)?.country;
      const detail = detailOf(p.to, before);
      const kept = extra(p.from.name);
      const corrected = { kind: p.to.kind, name: p.to.name, ...detail, ...(p.to.kind === 'organization' ? { ...(kept.signedOn ? { signedOn: kept.signedOn } : {}) } : kept) };
      // A correction into a name the near-duplicate check would take for the old one (a case, quote
      // or short-form change) replaces it in place of adding beside it.
      if (p.from.name === p.to.name) {
        // Only the country or title: changed in place (names per language and other fields kept).
        await amendSignatory(dataFile, p.from.name, p.from.kind, { set: p.to.detail ? detail : p.to.kind === 'organization' ? { country: '' } : { title: '' } });
      } else if (nearKey(p.from.name) === nearKey(p.to.name)) {
        const old = await removeSignatory(dataFile, p.from.name);
        try {
          await addSignatory(dataFile, corrected);
        } catch (e) {
          const back = { kind: old.kind, name: old.name, ...Object.fromEntries(Object.entries(old).filter(([k, v]) => ['country', 'title', 'sortAs', 'signedOn'].includes(k) && typeof v === 'string')) };
          await addSignatory(dataFile, back as NewSignatory);
          throw e;
        }
      } else {
        await addSignatory(dataFile, corrected);
        await removeSignatory(dataFile, p.from.name);
      }
      // Name and country (or title): a correction may change either.
      const shown = (e: typeof p.from) => (e.detail ? `${e.name} / ${e.detail}` : e.name);
      print(`Corrected ${p.from.kind} "${shown(p.from)}" → "${shown(p.to)}" in ${dataFile}.\n`);
    }
  }
}

/**
 * Run the import; prints the review to `out`, warnings to `err`. Throws BuildError for an input
 * that cannot be read (positioned where possible).
 */
export async function importDocxCommand(docxPath: string, options: ImportDocxOptions, out: Print, err: Print): Promise<ImportDocxOutcome> {
  if (options.reject && options.keepTracked) throw fileFailure(docxPath, 'Give --reject or --keep-tracked, not both.', 'import-options');
  const bytes = await readDocxFile(docxPath);
  const stored = await readInputWithForm(options.letter, 'give the letter the Word copy was made from with --letter.', 'letter-missing', false, MAX_LETTER_BYTES);
  const { text: storedText, ...form } = stored;
  const { document } = await loadLetterFromText({ letterPath: options.letter, text: storedText.normalize('NFC') });
  const tracked = options.reject || options.keepTracked ? 'reject' : 'accept';
  let result: ImportResult;
  try {
    result = await importDocx(storedText, document, bytes, { tracked });
  } catch (e) {
    if (e instanceof DocxUnreadable) throw fileFailure(docxPath, `Cannot read the Word copy: ${e.message}.`, 'docx-unreadable');
    throw e;
  }

  // Parts of the Word copy that could not be mapped: warnings on the Word file, one per part.
  const docxFile = new VFile({ path: docxPath });
  for (const u of result.unmapped) reportWarning(docxFile, `${u.where}: ${u.what}${u.text ? ` — "${u.text.length > 80 ? `${u.text.slice(0, 80)}…` : u.text}"` : ''}`, undefined, 'docx-unmapped');
  const warnings = formatDiagnostics([docxFile]);
  if (warnings) err(`${warnings}\n`);

  const dataFile = document.sources?.signatories ?? null;
  const applying = options.applySignatories === true && dataFile !== null && result.signatories.length > 0;
  const lines = formatImportReport(result, {
    letter: options.letter,
    tracked: options.keepTracked ? 'keep' : tracked,
    dataFile,
    nameSeparator: document.template.labels.nameSeparator,
    applying,
  });
  // The review is printed after the writes, so that a reader who stops early (`| head`) cannot
  // stop them half-way; printed whatever happens.
  let review = lines.length > 0 ? `${lines.join('\n')}\n\n` : '';
  const changed = result.text !== storedText;
  if (!changed) review += `${options.letter} is unchanged by the Word copy.\n`;
  else review += createTwoFilesPatch(`a/${options.letter}`, `b/${options.letter}`, storedText, result.text, undefined, undefined, { context: 2 }).replace(/^=+\n/, '');
  const done: string[] = [];
  let written = false;
  try {
    // A copy that looks made from another letter is not written into a letter it was only guessed
    // to belong to (a partner renamed letter.ko.docx: letter.md would get the Korean text).
    if (result.foreign && options.chosen && ((options.write && changed) || applying)) {
      throw fileFailure(docxPath, `This Word copy does not look made from ${options.letter} (hardly any of its paragraphs are in it), which was chosen because no --letter was given; nothing was written. Name the letter it was made from: letterpress import-docx ${docxPath} --letter LETTER.md --write`, 'import-letter');
    }
    if (options.write && changed) {
      // Nothing is written that does not load: the new letter must build as the old one did.
      try {
        await loadLetterFromText({ letterPath: options.letter, text: result.text.normalize('NFC') });
      } catch (e) {
        if (!(e instanceof BuildError)) throw e;
        const file = new VFile({ path: options.letter });
        reportError(file, 'The imported letter would not load (the problems above are in the new text); nothing was written.', undefined, 'import-invalid');
        throw new BuildError([...e.files, file]);
      }
      await writeFilesAtomically([{ path: options.letter, data: encodeText(result.text, form) }]);
      written = true;
      done.push(`Wrote ${options.letter}. Run "letterpress build ${options.letter}" to rebuild the editions.\n`);
    } else if (changed) {
      done.push(`Nothing was written: run again with --write to apply this to ${options.letter}.\n`);
    }
    if (applying) await applySignatoryProposals(dataFile, result.signatories, document, (line) => done.push(line));
  } finally {
    out(review + done.join(''));
  }
  return { result, changed, written };
}
