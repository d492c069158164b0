/**
 * The review of an imported Word copy, as text for the terminal: nothing said in Word is left
 * unsaid. (Parts that could not be imported are diagnostics: see src/cli/commands/importDocx.ts.)
 */
import type { ImportResult, SignatoryProposal } from './index.js';
import type { ProposedEntry } from './signatories.js';

const quote = (text: string, max = 60) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `"${flat.length > max ? `${flat.slice(0, max)}…` : flat}"`;
};

const day = (iso: string) => (iso ? iso.replace(/T.*$/, '') : 'no date');

function entryText(entry: ProposedEntry, separator: string): string {
  return `${entry.kind} "${entry.name}${entry.detail ? `${separator}${entry.detail}` : ''}"`;
}

export function proposalLines(proposals: SignatoryProposal[], separator: string): string[] {
  return proposals.map((p) =>
    p.action === 'add'
      ? `  + add ${entryText(p.entry, separator)}, from ${p.where}`
      : p.action === 'remove'
        ? `  - remove ${entryText(p.entry, separator)} (no longer in the Word copy)`
        : `  ~ correct ${entryText(p.from, separator)} → "${p.to.name}${p.to.detail ? `${separator}${p.to.detail}` : ''}", from ${p.where}`,
  );
}

export interface ReportOptions {
  letter: string;
  tracked: 'accept' | 'reject' | 'keep';
  /** The signatory data file, as the user names it. */
  dataFile: string | null;
  nameSeparator: string;
  /** The proposals are being applied (--apply-signatories). */
  applying?: boolean;
}

export function formatImportReport(result: ImportResult, options: ReportOptions): string[] {
  const lines: string[] = [];
  if (result.changes.length > 0) {
    const how = options.tracked === 'accept' ? 'accepted' : options.tracked === 'reject' ? 'rejected' : 'left pending (not applied to the letter; still open in the Word copy)';
    lines.push(`Tracked changes (${result.changes.length}, ${how}):`);
    for (const c of result.changes) lines.push(`  ${c.kind} by ${c.author}, ${day(c.date)}, ${c.where}${c.text ? `: ${quote(c.text)}` : ''}`);
  }
  if (result.comments.length > 0) {
    lines.push(`Comments (${result.comments.length}; the letter keeps none of them — act on each):`);
    for (const c of result.comments) {
      const at = c.line ? `${options.letter}:${c.line}` : c.where;
      lines.push(`  ${at}: ${c.author}, ${day(c.date)}, on ${c.anchor ? quote(c.anchor, 40) : c.where}: ${quote(c.text, 200)}`);
    }
  }
  const notes = result.notes.filter((n) => n.state !== 'unchanged');
  if (notes.length > 0) {
    lines.push('Notes:');
    for (const n of notes) {
      const what = n.state === 'new' ? 'new (a footnote added in Word)' : n.state === 'changed' ? 'text changed' : 'removed (its mark is gone from the text)';
      lines.push(`  [^${n.label}] ${what}`);
    }
  }
  if (result.fields.length > 0) lines.push(`Front matter changed: ${result.fields.join(', ')}`);
  if (result.list) {
    lines.push(
      `The Word copy's signatory list is as of ${result.list.copyAsOf}; the data is as of ${result.list.dataAsOf}. ${result.list.signedSince} signator${result.list.signedSince === 1 ? 'y' : 'ies'} added since ${result.list.signedSince === 1 ? 'is' : 'are'} kept (not proposed for removal).`,
    );
  }
  if (result.signatories.length > 0) {
    const to = options.dataFile ?? 'the signatory data';
    lines.push(options.applying ? `Signatory list edited in Word: applying these changes to ${to}:` : `Signatory list edited in Word: proposed changes to ${to} (add --apply-signatories to make them):`);
    lines.push(...proposalLines(result.signatories, options.nameSeparator));
  }
  return lines;
}
