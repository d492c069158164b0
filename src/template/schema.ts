/**
 * The template schema: a house style per language (labels, date format, page geometry, type sizes,
 * layout of the letter frame, fonts). Users change templates/*.yaml, never the code.
 */
import { z } from 'zod';

/** Designs of a family beside the regular one, and the characters the entry claims to have. */
const designs = {
  bold: z.string().min(1).optional(),
  italic: z.string().min(1).optional(),
  boldItalic: z.string().min(1).optional(),
  /** Sample of the characters this face is in the chain for (checked by the font test). */
  covers: z.string().min(1).optional(),
  /** `latin`: the face sets only Latin letters, digits and ASCII punctuation (Latin runs in a CJK letter). */
  use: z.literal('latin').optional(),
  name: z.string().min(1),
};

/** Full font files (TTF/OTF) from an npm package, or beside the template in the project. */
const fontEntry = z.union([
  z.object({ package: z.string().min(1), regular: z.string().min(1), ...designs }).strict(),
  z.object({ file: z.string().min(1), ...designs }).strict(),
]);

export const templateSchema = z
  .object({
    lang: z.string().min(2),
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
        size: z.literal('A4'),
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
    fonts: z.object({ serif: z.array(fontEntry).min(1) }).strict(),
    docx: z
      .object({ eastAsiaFont: z.string(), latinFont: z.string(), fallbackEastAsiaFont: z.string() })
      .strict(),
  })
  .strict();

export type Template = z.infer<typeof templateSchema> & {
  /** Absolute path of the template file (fonts named by `file` are relative to it). */
  sourcePath: string;
};
export type FontEntry = z.infer<typeof fontEntry>;
