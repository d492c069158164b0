/**
 * The template schema: a house style per language (labels, date format, page geometry, type sizes,
 * layout of the letter frame, fonts). Users change templates/*.yaml, never the code.
 */
import { z } from 'zod';

const fontEntry = z.union([
  z
    .object({
      package: z.string().min(1),
      regular: z.string().min(1),
      bold: z.string().min(1).optional(),
      name: z.string().min(1),
    })
    .strict(),
  z.object({ fontsource: z.string().min(1), name: z.string().min(1) }).strict(),
  z
    .object({ file: z.string().min(1), bold: z.string().min(1).optional(), name: z.string().min(1) })
    .strict(),
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
      })
      .strict(),
    fonts: z.object({ serif: z.array(fontEntry).min(1) }).strict(),
    docx: z
      .object({ eastAsiaFont: z.string(), latinFont: z.string(), fallbackEastAsiaFont: z.string() })
      .strict(),
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
