/**
 * Named styles for the Word copy: every paragraph uses one, so a partner can restyle the letter
 * in Word (Normal, Letter Date, Recipient, Cc, Subject, Salutation, Body Text, Closing, Footnote
 * Text, Signatories Heading, …) instead of fighting direct formatting.
 */
import { AlignmentType, LineRuleType, type IParagraphStyleOptions, type IStylesOptions } from 'docx';
import type { Template } from '../../template/schema.js';

/** Half-points, as Word counts font sizes. */
const halfPoints = (pt: number) => Math.round(pt * 2);
/** Twentieths of a point (twips). */
export const twips = (pt: number) => Math.round(pt * 20);

export const STYLE = {
  date: 'LetterDate',
  recipient: 'Recipient',
  ccLabel: 'CcLabel',
  cc: 'CcRecipient',
  subject: 'Subject',
  salutation: 'Salutation',
  body: 'BodyText',
  heading: 'LetterHeading',
  quote: 'Quote',
  listItem: 'ListItem',
  closing: 'Closing',
  signatoriesHeading: 'SignatoriesHeading',
  signatoriesSection: 'SignatoriesSection',
  signatory: 'Signatory',
  footer: 'Footer',
  footnoteText: 'FootnoteText',
} as const;

/** Languages for w:lang: the letter's for East Asian text, English for Latin runs of a CJK letter. */
export function languages(template: Template): { value: string; eastAsia: string } {
  const lang = template.lang;
  return /^(zh|ja|ko)/i.test(lang) ? { value: 'en-US', eastAsia: lang } : { value: lang, eastAsia: 'zh-CN' };
}

export function stylesFor(template: Template): IStylesOptions {
  const { type, docx } = template;
  const font = { ascii: docx.latinFont, hAnsi: docx.latinFont, eastAsia: docx.eastAsiaFont, cs: docx.latinFont };
  const exact = (size: number, factor: number) => ({ line: twips(size * factor), lineRule: LineRuleType.EXACT });
  const body = type.bodySize;
  const blank = twips(body * type.lineHeight);
  const style = (id: string, name: string, options: Omit<IParagraphStyleOptions, 'id' | 'name'>): IParagraphStyleOptions => ({
    id,
    name,
    basedOn: 'Normal',
    next: options.next ?? 'BodyText',
    quickFormat: true,
    ...options,
  });
  return {
    default: {
      document: {
        run: { font, size: halfPoints(body), language: languages(template) },
        paragraph: { spacing: { ...exact(body, type.lineHeight), before: 0, after: 0 } },
      },
      footnoteText: {
        run: { font, size: halfPoints(type.noteSize) },
        // Left-aligned: word processors do not break URLs, so a justified note with a long URL
        // would be spread letter by letter.
        paragraph: { spacing: { ...exact(type.noteSize, type.noteLineHeight), before: 0, after: 0 }, alignment: AlignmentType.LEFT },
      },
      footnoteReference: { run: { superScript: true } },
      hyperlink: { run: { color: '1F3A93' } },
    },
    paragraphStyles: [
      { id: 'Normal', name: 'Normal', quickFormat: true, run: { font, size: halfPoints(body), language: languages(template) } },
      style(STYLE.date, 'Letter Date', { next: STYLE.recipient, paragraph: { alignment: AlignmentType.RIGHT } }),
      style(STYLE.recipient, 'Recipient', { next: STYLE.recipient }),
      style(STYLE.ccLabel, 'Cc Label', { next: STYLE.cc, paragraph: { spacing: { before: Math.round(blank * 0.6) }, keepNext: true } }),
      style(STYLE.cc, 'Cc Recipient', { next: STYLE.cc, paragraph: { indent: { left: twips(2 * body) } } }),
      style(STYLE.subject, 'Subject', { run: { bold: true }, paragraph: { spacing: { before: blank }, alignment: AlignmentType.JUSTIFIED } }),
      style(STYLE.salutation, 'Salutation', { paragraph: { spacing: { before: blank }, keepNext: true } }),
      // first-line indent of two characters: written as w:firstLineChars by the XML pass
      style(STYLE.body, 'Body Text', {
        paragraph: {
          alignment: AlignmentType.JUSTIFIED,
          indent: { firstLine: twips(type.firstLineIndent * body) },
          ...(type.paragraphSpacing > 0 ? { spacing: { before: Math.round(blank * type.paragraphSpacing) } } : {}),
        },
      }),
      style(STYLE.heading, 'Letter Heading', { run: { bold: true }, paragraph: { keepNext: true, spacing: { before: Math.round(blank / 2) } } }),
      style(STYLE.quote, 'Quote', { paragraph: { alignment: AlignmentType.JUSTIFIED, indent: { left: twips(2 * body), right: twips(2 * body) } } }),
      style(STYLE.listItem, 'List Item', { next: STYLE.listItem, paragraph: { alignment: AlignmentType.JUSTIFIED, indent: { left: twips(2 * body), hanging: twips(1.5 * body) } } }),
      style(STYLE.closing, 'Closing', {
        paragraph: {
          indent: { firstLine: twips(type.firstLineIndent * body) },
          ...(type.paragraphSpacing > 0 ? { spacing: { before: Math.round(blank * type.paragraphSpacing) } } : {}),
        },
      }),
      style(STYLE.signatoriesHeading, 'Signatories Heading', {
        next: STYLE.signatoriesSection,
        run: { bold: true },
        paragraph: { alignment: AlignmentType.CENTER, keepNext: true, spacing: { before: blank * 2 } },
      }),
      style(STYLE.signatoriesSection, 'Signatories Section', {
        next: STYLE.signatory,
        run: { bold: true, size: halfPoints(type.listSize) },
        paragraph: { keepNext: true, spacing: { ...exact(type.listSize, type.listLineHeight), before: twips(type.listSize * type.listLineHeight * 0.8) } },
      }),
      style(STYLE.signatory, 'Signatory', {
        next: STYLE.signatory,
        run: { size: halfPoints(type.listSize) },
        paragraph: {
          spacing: { ...exact(type.listSize, type.listLineHeight), before: twips(type.listSize * 0.25) },
          indent: { left: twips(type.listSize * 2), hanging: twips(type.listSize * 2) },
        },
      }),
      style(STYLE.footer, 'Footer', { run: { size: halfPoints(type.noteSize) }, paragraph: { alignment: AlignmentType.CENTER } }),
    ],
  };
}
