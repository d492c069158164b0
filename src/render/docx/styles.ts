/**
 * Named styles for the Word copy: every paragraph uses one, so a partner can restyle the letter
 * in Word (Normal, Letter Date, Recipient, Cc, Subject, Salutation, Body Text, Closing, Footnote
 * Text, Signatories Heading, …) instead of fighting direct formatting.
 */
import { AlignmentType, LineRuleType, type IParagraphStyleOptions, type IStylesOptions } from 'docx';
import type { Align, BlockStyle, LetterFrame, StyledRole } from '../../frame/types.js';

/** Half-points, as Word counts font sizes. */
const halfPoints = (pt: number) => Math.round(pt * 2);
/** Twentieths of a point (twips). */
export const twips = (pt: number) => Math.round(pt * 20);

/** The named style of each frame role (the roles' layout comes from the template). */
export const ROLE_STYLE = {
  date: 'LetterDate',
  recipient: 'Recipient',
  ccLabel: 'CcLabel',
  ccRecipient: 'CcRecipient',
  subject: 'Subject',
  salutation: 'Salutation',
  closing: 'Closing',
  sender: 'Sender',
  signature: 'SignatureBlock',
  signatoriesHeading: 'SignatoriesHeading',
  sectionHeading: 'SignatoriesSection',
  signatoryEntry: 'Signatory',
} as const;

/** The sign-off's roles: their styles are written only for a letter that has them (a letter without keeps its Word copy as it was). */
const SIGN_OFF = new Set<StyledRole>(['sender', 'signature']);

/** Display names of the role styles, as Word lists them. */
const ROLE_STYLE_NAME: Record<StyledRole, string> = {
  date: 'Letter Date',
  recipient: 'Recipient',
  ccLabel: 'Cc Label',
  ccRecipient: 'Cc Recipient',
  subject: 'Subject',
  salutation: 'Salutation',
  closing: 'Closing',
  sender: 'Sender',
  signature: 'Signature Block',
  signatoriesHeading: 'Signatories Heading',
  sectionHeading: 'Signatories Section',
  signatoryEntry: 'Signatory',
};

/** The style that follows each role's in Word when the user presses Enter. */
const NEXT_STYLE: Record<StyledRole, string> = {
  date: ROLE_STYLE.recipient,
  recipient: ROLE_STYLE.recipient,
  ccLabel: ROLE_STYLE.ccRecipient,
  ccRecipient: ROLE_STYLE.ccRecipient,
  subject: 'BodyText',
  salutation: 'BodyText',
  closing: 'BodyText',
  sender: ROLE_STYLE.sender,
  signature: ROLE_STYLE.signature,
  signatoriesHeading: ROLE_STYLE.sectionHeading,
  sectionHeading: ROLE_STYLE.signatoryEntry,
  signatoryEntry: ROLE_STYLE.signatoryEntry,
};

export const STYLE = {
  ...ROLE_STYLE,
  body: 'BodyText',
  heading: 'LetterHeading',
  quote: 'Quote',
  listItem: 'ListItem',
  footer: 'Footer',
  letterhead: 'Letterhead',
  footnoteText: 'FootnoteText',
} as const;

const ALIGNMENT: Record<Align, (typeof AlignmentType)[keyof typeof AlignmentType]> = {
  left: AlignmentType.LEFT,
  right: AlignmentType.RIGHT,
  center: AlignmentType.CENTER,
  justify: AlignmentType.JUSTIFIED,
};

/** A frame block style as Word paragraph and run properties. */
function wordStyle(style: BlockStyle, bodySize: number): Pick<IParagraphStyleOptions, 'run' | 'paragraph'> {
  const hanging = style.hang > 0 ? { hanging: twips(style.hang) } : {};
  const firstLine = style.firstIndent > 0 ? { firstLine: twips(style.firstIndent) } : {};
  const left = style.indent + style.hang;
  return {
    run: { ...(style.bold ? { bold: true } : {}), ...(style.size !== bodySize ? { size: halfPoints(style.size) } : {}) },
    paragraph: {
      alignment: ALIGNMENT[style.align],
      ...(style.keepWithNext ? { keepNext: true } : {}),
      spacing: { line: twips(style.size * style.lineHeight), lineRule: LineRuleType.EXACT, before: twips(style.spaceBefore) },
      ...(left > 0 || style.firstIndent > 0 ? { indent: { ...(left > 0 ? { left: twips(left) } : {}), ...hanging, ...firstLine } } : {}),
    },
  };
}

/** Languages for w:lang: the letter's for East Asian text, English for Latin runs of a CJK letter. */
export function languages(frame: LetterFrame): { value: string; eastAsia: string } {
  const { lang, cjk } = frame.language;
  return cjk ? { value: 'en-US', eastAsia: WORD_TAGS[lang.toLowerCase()] ?? lang } : { value: lang, eastAsia: 'zh-CN' };
}

/** Word names East Asian languages with their region (ko-KR, ja-JP), as its proofing tools do. */
const WORD_TAGS: Record<string, string> = { ko: 'ko-KR', ja: 'ja-JP', zh: 'zh-CN' };

export function stylesFor(frame: LetterFrame): IStylesOptions {
  const { word, notesStyle } = frame;
  const font = { ascii: word.latinFont, hAnsi: word.latinFont, eastAsia: word.eastAsiaFont, cs: word.latinFont };
  const exact = (size: number, factor: number) => ({ line: twips(size * factor), lineRule: LineRuleType.EXACT });
  const text = frame.body;
  const body = text.paragraph.size;
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
        run: { font, size: halfPoints(body), language: languages(frame) },
        paragraph: { spacing: { ...exact(body, text.paragraph.lineHeight), before: 0, after: 0 } },
      },
      footnoteText: {
        run: { font, size: halfPoints(notesStyle.size) },
        // Left-aligned: word processors do not break URLs, so a justified note with a long URL
        // would be spread letter by letter.
        paragraph: { spacing: { ...exact(notesStyle.size, notesStyle.lineHeight), before: 0, after: 0 }, alignment: AlignmentType.LEFT },
      },
      footnoteReference: { run: { superScript: true } },
      hyperlink: { run: { color: frame.linkColor.slice(1).toUpperCase() } },
    },
    paragraphStyles: [
      { id: 'Normal', name: 'Normal', quickFormat: true, run: { font, size: halfPoints(body), language: languages(frame) } },
      ...(Object.keys(ROLE_STYLE) as StyledRole[]).filter((role) => !SIGN_OFF.has(role) || frame.blocks.some((b) => b.role === role)).map((role) =>
        style(ROLE_STYLE[role], ROLE_STYLE_NAME[role], { next: NEXT_STYLE[role], ...wordStyle(frame.roles[role], body) }),
      ),
      // first-line indent of two characters: written as w:firstLineChars by the XML pass
      style(STYLE.body, 'Body Text', {
        paragraph: {
          alignment: AlignmentType.JUSTIFIED,
          indent: { firstLine: twips(text.paragraph.firstIndent) },
          ...(text.paragraphSpacing > 0 ? { spacing: { before: twips(text.paragraphSpacing) } } : {}),
        },
      }),
      style(STYLE.heading, 'Letter Heading', { run: { bold: true }, paragraph: { keepNext: true, spacing: { before: twips(text.headingSpaceBefore) } } }),
      style(STYLE.quote, 'Quote', {
        paragraph: { alignment: AlignmentType.JUSTIFIED, indent: { left: twips(text.quoteIndent), right: twips(text.quoteIndent), firstLine: twips(text.paragraph.firstIndent) } },
      }),
      style(STYLE.listItem, 'List Item', {
        next: STYLE.listItem,
        paragraph: { alignment: AlignmentType.JUSTIFIED, indent: { left: twips(text.listIndent), hanging: twips(text.listIndent - text.bulletAt) } },
      }),
      ...(frame.letterhead ? [style(STYLE.letterhead, 'Letterhead', { paragraph: { spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 0, after: 0 } } })] : []),
      style(STYLE.footer, 'Footer', { run: { size: halfPoints(frame.furniture.pageLabel.size) }, paragraph: { alignment: AlignmentType.CENTER } }),
    ],
  };
}
