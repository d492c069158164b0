/**
 * The template schema: a house style per language (labels, date format, page geometry, type sizes,
 * layout of the letter frame, fonts). Users change templates/*.yaml, never the code.
 */
import { z } from 'zod';
import { LANGUAGE_TAG } from '../util/languageTag.js';

/**
 * A font family name as fonts, CSS and Word spell them ("Noto Serif SC", "ＭＳ 明朝", "Source Han
 * Serif K"): letters of any script, digits, spaces and . _ - +. A name reaches the HTML edition's
 * style sheet and the Word copy's font table, so quotes, <, >, ;, braces and line breaks are refused
 * here rather than escaped in each place.
 */
export const fontName = z
  .string()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}\p{M} ._+-]{0,62}$/u, 'a font name has letters, digits, spaces and . _ - + only (no quotes, <, >, ; or line breaks), at most 63 characters');

const languageTag = z.string().regex(LANGUAGE_TAG, 'write a language tag such as en, zh-CN or ko');

/** Designs of a family beside the regular one, and the characters the entry claims to have. */
const designs = {
  bold: z.string().min(1).optional(),
  italic: z.string().min(1).optional(),
  boldItalic: z.string().min(1).optional(),
  /** Sample of the characters this face is in the chain for (checked by the font test). */
  covers: z.string().min(1).optional(),
  /** `latin`: the face sets only Latin letters, digits and ASCII punctuation (Latin runs in a CJK letter). */
  use: z.literal('latin').optional(),
  name: fontName,
};

/** Full font files (TTF/OTF) from an npm package, or beside the template in the project. */
const fontEntry = z.union([
  z.object({ package: z.string().min(1), regular: z.string().min(1), ...designs }).strict(),
  z.object({ file: z.string().min(1), ...designs }).strict(),
]);

/**
 * A length in a template's `layout:`: a bare number counts lines of the block's own text (its
 * size × line height); "6pt" is points, "0.25em" ems of the block's own size.
 */
const length = z.union([
  z.number().min(0).max(10),
  z.string().regex(/^\d+(\.\d+)?(pt|em)$/, 'write a length as a number of lines, or as "6pt" or "0.5em"'),
]);
const ems = z.number().min(0).max(10);

/** How the blocks of one role of the letter frame are set. */
const roleLayout = z
  .object({
    /** Which of the `type:` sizes the block uses. */
    size: z.enum(['body', 'note', 'list']).default('body'),
    bold: z.boolean().default(false),
    align: z.enum(['left', 'right', 'center', 'justify']).default('left'),
    /** Space above the first block of this role, and above each further one. */
    spaceBefore: length.default(0),
    spaceBetween: length.optional(),
    /** Left indent of every line, extra indent of the first line, and hanging indent of the others (ems). */
    indent: ems.default(0),
    firstIndent: ems.default(0),
    hang: ems.default(0),
    keepWithNext: z.boolean().default(false),
  })
  .strict();

/** Points per millimetre. */
const MM = 72 / 25.4;

/** A length on the page: points as a number, or "40mm" / "12pt"; at most `maxMm` millimetres. */
const pageLength = (maxMm: number) =>
  z
    .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?\s*(mm|pt)$/, 'write a length as points (a number), or as "40mm" or "12pt"')])
    .transform((v) => (typeof v === 'number' ? v : v.endsWith('mm') ? Number.parseFloat(v) * MM : Number.parseFloat(v)))
    .pipe(z.number().min(0, 'a length is not negative').max(maxMm * MM, `at most ${maxMm}mm (${Math.floor(maxMm * MM)}pt)`));

/**
 * The letterhead: an image file (SVG, PNG or JPEG) inside the project, its width on the page
 * (the height follows its proportions), where it stands, and on which pages. Without `alt` the
 * image is decoration (a PDF artifact, alt="" on the web); with it, a tagged Figure.
 */
export const letterheadSchema = z
  .object({
    image: z.string().trim().min(1, 'name the image file, e.g. letterhead.svg'),
    width: pageLength(210).refine((v) => v >= 10, 'a letterhead is at least 10pt wide').default(200),
    align: z.enum(['left', 'center', 'right']).default('left'),
    /** Distance of the image's top edge from the top of the page. */
    top: pageLength(105).default(28),
    pages: z.enum(['first', 'all']).default('first'),
    /** Space between the image's foot and the text below it. */
    gap: pageLength(70).default(12),
    alt: z.string().trim().min(1, 'write what the image shows, or leave out `alt` for a decoration').max(500, 'at most 500 characters: say briefly what the image shows').optional(),
  })
  .strict();

/** The parts of the sign-off after the closing, in order; `date` moves the letter's date there. */
const signOffPart = z.enum(['signature', 'sender', 'date']);

const frameLayout = z
  .object({
    roles: z
      .object({
        date: roleLayout,
        recipient: roleLayout,
        ccLabel: roleLayout,
        ccRecipient: roleLayout,
        subject: roleLayout,
        salutation: roleLayout,
        closing: roleLayout,
        signatoriesHeading: roleLayout,
        sectionHeading: roleLayout,
        signatoryEntry: roleLayout,
        /** The sender block (`from:`) and each signer's block (`signature:`); templates written before them get the defaults. */
        sender: roleLayout.prefault({}),
        signature: roleLayout.prefault({}),
      })
      .strict(),
    /**
     * What follows the closing when the letter has `from:` or `signature:`, in order: the signers
     * (`signature`), the sender block (`sender`) and, for letters dated at the foot (Chinese,
     * Japanese, Korean), the date (`date`: it then leaves the head of the letter).
     */
    signOff: z
      .object({
        order: z
          .array(signOffPart)
          .min(1)
          .refine((list) => new Set(list).size === list.length, 'name each part once')
          .refine((list) => list.includes('signature') && list.includes('sender'), 'name both signature and sender')
          .default(['signature', 'sender']),
        /** Height of a signature image, in points (its width follows its proportions, at most half the measure). */
        imageHeight: z.number().min(12).max(200).default(40),
      })
      .strict()
      .prefault({}),
    body: z
      .object({
        /** Space above a heading inside the letter, and its weight. */
        headingSpaceBefore: length,
        /** Block quotes are narrowed on both sides by this many ems. */
        quoteIndent: ems,
        /** List items: text indent, and where the bullet or number stands (ems). */
        listIndent: ems,
        bulletAt: ems,
      })
      .strict(),
    notes: z
      .object({
        /** Note text hangs this many ems (of the note size) right of its number. */
        hang: ems,
        /** Space between the body and the notes, in lines of note text; the rule sits in its middle. */
        separator: z.number().min(0.5).max(5),
        /** The rule above the notes: share of the text width, and its weight in points. */
        ruleLength: z.number().min(0).max(1),
        ruleWeight: z.number().min(0).max(3),
        /** A note split across pages keeps at least this many lines on each. */
        minLines: z.number().int().min(1).max(5),
        /** Footnote marks in the text: size and rise as shares of the text size. */
        markScale: z.number().min(0.3).max(1),
        markRise: z.number().min(0).max(1),
      })
      .strict(),
    pageLabel: z
      .object({
        size: z.enum(['body', 'note', 'list']),
        /** Distance of the label from the foot of the page, as a share of the bottom margin. */
        fromBottom: z.number().min(0).max(1),
      })
      .strict(),
    /** Colour of links on screen (Word, HTML); the PDF prints them in the text colour. */
    linkColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'write a colour as #RRGGBB'),
    signatoryColumns: z
      .object({
        /** A list this long, most of whose entries fit half the measure, flows in two columns. */
        minEntries: z.number().int().min(1),
        minFitting: z.number().min(0).max(1),
        gap: ems,
      })
      .strict(),
  })
  .strict();

/** How the list shows countries (src/model/countries.ts) and names per language (src/signatories/index.ts). */
export const countryDisplay = z.enum(['localised', 'as-written']);
export const nameDisplay = z.enum(['local', 'original', 'both']);

export const listSettings = z
  .object({
    countries: countryDisplay.default('localised'),
    names: nameDisplay.default('local'),
  })
  .strict();

export type ListSettings = z.infer<typeof listSettings>;

export const templateSchema = z
  .object({
    lang: languageTag,
    labels: z
      .object({
        cc: z.string(),
        subject: z.string(),
        labelSeparator: z.string(),
        signatoriesHeading: z.string().includes('{date}'),
        organizations: z.string(),
        individuals: z.string(),
        nameSeparator: z.string(),
        page: z.string(),
        /** A Markdown `---` (thematic break) in the letter. */
        sectionBreak: z.string(),
      })
      .strict(),
    date: z
      .object({ format: z.string().min(1), monthNames: z.array(z.string()).length(12).optional() })
      .strict(),
    text: z
      .object({
        noteMarks: z.enum(['superscript', 'brackets']),
        wrap: z.number().int().min(0),
        notesRule: z.string(),
      })
      .strict(),
    page: z
      .object({
        /** ISO 216 A4, or US Letter (8½ × 11 in) for partners who print on it. */
        size: z.enum(['A4', 'Letter'], { message: 'write A4 or Letter' }),
        margins: z
          .object({ top: z.number().positive(), right: z.number().positive(), bottom: z.number().positive(), left: z.number().positive() })
          .strict(),
      })
      .strict(),
    type: z
      .object({
        bodySize: z.number().min(6).max(30),
        lineHeight: z.number().min(1).max(3),
        noteSize: z.number().min(5).max(20),
        noteLineHeight: z.number().min(1).max(3),
        listSize: z.number().min(5).max(20),
        listLineHeight: z.number().min(1).max(3),
        paragraphSpacing: z.number().min(0).max(3),
        firstLineIndent: z.number().min(0).max(4),
        punctuationCompression: z.boolean(),
        hanLatinSpace: z.number().min(0).max(0.5),
        /** keep-all: no break between letters of a word, only at spaces and punctuation (Korean). */
        wordBreak: z.enum(['normal', 'keep-all']).default('normal'),
        /** Emphasis where the face has no italic (CJK): bold, or a dot under each character (clreq 着重号). */
        emphasis: z.enum(['bold', 'dots']).default('bold'),
        /** Hyphenate justified Latin text with the patterns of the letter's language (Knuth–Liang). */
        hyphenate: z.boolean().default(false),
      })
      .strict(),
    layout: frameLayout,
    letterhead: letterheadSchema.optional(),
    fonts: z.object({ serif: z.array(fontEntry).min(1) }).strict(),
    docx: z
      .object({
        eastAsiaFont: fontName,
        latinFont: fontName,
        fallbackEastAsiaFont: fontName,
        /** Fonts embedded in the Word copy: subsets (the document's characters and common punctuation), whole files, or none. */
        embedFonts: z.enum(['subset', 'full', 'none']).default('subset'),
      })
      .strict(),
    /**
     * How the signatory list shows what the data gives: `countries` in the letter's language
     * (`localised`) or as the data writes them (`as-written`, for a list reprinted as signed);
     * `names` per language: the name in the letter's language (`local`), the original (the first
     * given), or both (`local (original)`). A letter's front matter may override either.
     */
    list: listSettings.prefault({}),
    /**
     * Envelopes and address labels: `envelope` the envelope layout (DL or C5 for international
     * post, CN the Chinese domestic layout of GB/T 1416; auto: CN for a letter in zh-CN, else DL);
     * `recipientSuffix` the word after the addressee's name on the Chinese layout (收).
     */
    mailing: z
      .object({ envelope: z.enum(['auto', 'DL', 'C5', 'CN']).default('auto'), recipientSuffix: z.string().max(20, 'at most 20 characters: the word after the name, e.g. 收').default('') })
      .strict()
      .optional(),
    /**
     * `standard`: identify the mailing PDF as PDF/A-2a and PDF/UA-1 (XMP, output intent); the
     * PDF is tagged either way. `subjectRole`: the subject line's structure role.
     */
    pdf: z
      .object({ standard: z.boolean().default(true), subjectRole: z.enum(['H1', 'P']).default('H1') })
      .strict()
      .default({ standard: true, subjectRole: 'H1' }),
  })
  .strict();

export type Template = z.infer<typeof templateSchema> & {
  /** Absolute path of the template file (fonts named by `file` are relative to it). */
  sourcePath: string;
};
export type FontEntry = z.infer<typeof fontEntry>;
export type FrameLayout = z.infer<typeof frameLayout>;
export type RoleLayout = z.infer<typeof roleLayout>;
export type Length = z.infer<typeof length>;
export type LetterheadLayout = z.infer<typeof letterheadSchema>;
