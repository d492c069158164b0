/**
 * The images a letter uses — its letterhead (the letter's own `letterhead:`, else its template's)
 * and its signers' signature images — found under the path policy (src/io/paths.ts: inside the
 * project, symlinks followed), read with a bound and checked (src/io/image.ts). A problem is
 * reported at the field that names the image, in the letter or in the template.
 */
import path from 'node:path';
import { VFile } from 'vfile';
import { BuildError, reportError, type Position } from '../diagnostics/index.js';
import { checkImage, MAX_IMAGE_BYTES } from '../io/image.js';
import { resolveContained, shownPath } from '../io/paths.js';
import { readBounded, sizeText } from '../io/readBounded.js';
import type { LetterheadSpec, LetterMeta, LoadedImage } from '../model/types.js';
import type { Template } from '../template/schema.js';

/** Where an image is named: the field's file and place, and the folder and root its path is taken from. */
export interface ImageField {
  /** Reports a problem at the field and throws. */
  fail(reason: string, rule: string): never;
  /** The folder a relative path starts from, the root it must stay inside, and the root's name for messages. */
  base: string;
  root: string;
  rootName?: string;
}

/** Read and check the image `ref` named at `field`. */
export async function loadImage(ref: string, field: ImageField, what: string): Promise<LoadedImage> {
  const contained = resolveContained(field.root, field.base, ref, what, field.rootName);
  if ('error' in contained) return field.fail(contained.error, 'image-path');
  const read = await readBounded(contained.path, MAX_IMAGE_BYTES);
  if (!read.ok) {
    if (read.reason === 'too-large') return field.fail(`${what} "${ref}" is larger than ${sizeText(MAX_IMAGE_BYTES)}${read.size ? ` (${sizeText(read.size)})` : ''}: export it smaller (a letterhead needs no more than 300 dpi).`, 'image-too-large');
    if (read.reason === 'missing') return field.fail(`There is no file "${ref}" (looked for ${shownPath(contained.path)}): fix the name, or put the image there.`, 'image-missing');
    return field.fail(`${what} "${ref}" is not a file (${read.reason === 'special' ? read.kind : 'a folder'}): name an .svg, .png or .jpg file.`, 'image-missing');
  }
  const checked = checkImage(read.bytes, ref);
  if (!checked.ok) return field.fail(checked.reason, checked.rule);
  return { ...checked.image, data: read.bytes, path: shownPath(contained.path), file: contained.path };
}

/** A field of the template, as the loader read it (for positioned messages in the file that wrote it). */
type TemplateWhere = (field: string[]) => { path: string; text: string; place: Position | undefined };

/**
 * The letter's letterhead: its own `letterhead:` (relative to the letter; `false` for none), else
 * the template's (relative to the template file that wrote it).
 */
export async function loadLetterhead(
  meta: LetterMeta,
  template: Template,
  letter: { dir: string; root: string; failAt: (field: string, reason: string, rule: string) => never },
  where: TemplateWhere,
  templateRoot: string,
): Promise<{ spec: LetterheadSpec; image: LoadedImage } | undefined> {
  if (meta.letterhead === false) return undefined;
  if (meta.letterhead) {
    const spec = meta.letterhead;
    const image = await loadImage(spec.image, { fail: (reason, rule) => letter.failAt('letterhead.image', reason, rule), base: letter.dir, root: letter.root }, 'Letterhead image');
    return { spec, image };
  }
  const spec = template.letterhead;
  if (!spec) return undefined;
  const at = where(['letterhead', 'image']);
  const fail = (reason: string, rule: string): never => {
    const file = new VFile({ path: at.path, value: at.text });
    reportError(file, reason, at.place, rule);
    throw new BuildError([file]);
  };
  const base = path.dirname(path.resolve(at.path));
  const image = await loadImage(spec.image, { fail, base, root: templateRoot, rootName: templateRoot === letter.root ? "the letter's folder" : "the template's folder" }, 'Letterhead image');
  return { spec, image };
}

/** Each signer's signature image (relative to the letter), or undefined where a signer has none. */
export async function loadSignatureImages(
  meta: LetterMeta,
  letter: { dir: string; root: string; failAt: (field: string, reason: string, rule: string) => never },
): Promise<Array<LoadedImage | undefined>> {
  const out: Array<LoadedImage | undefined> = [];
  for (const [index, signer] of (meta.signature ?? []).entries()) {
    out.push(
      signer.image === undefined
        ? undefined
        : await loadImage(signer.image, { fail: (reason, rule) => letter.failAt(`signature.${index}.image`, reason, rule), base: letter.dir, root: letter.root }, 'Signature image'),
    );
  }
  return out;
}
