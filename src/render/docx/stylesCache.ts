/**
 * The patched styles.xml on disk (folder word-styles of the disk cache, src/io/diskCache.ts), for
 * the next process: docx writes the same styles for the same template, and parsing, patching and
 * serialising them with @xmldom/xmldom is the dearest XML edit of a cold Word copy (~20 ms of a
 * first run). An entry is found by the styles docx wrote, the patch (everything the patch reads)
 * and the version of this code (src/util/codeVersion.ts), so it holds for every letter and
 * signatory list of a template; it is used only when its stored hash holds and it is a whole
 * styles part. Without a code version nothing is kept.
 */
import path from 'node:path';
import { strFromU8 } from 'fflate';
import { DiskCache, cacheFolder, cacheKey } from '../../io/diskCache.js';
import { codeVersion } from '../../util/codeVersion.js';

function keyOf(patch: string, input: Uint8Array): string | undefined {
  const version = codeVersion();
  return version === null ? undefined : cacheKey(['patched Word styles', version, patch, input]);
}

const cache = () => new DiskCache(path.join(cacheFolder(), 'word-styles'));

/** A whole styles part: the XML declaration, then the styles element closed at the end. */
function isStylesPart(data: Uint8Array): boolean {
  const text = strFromU8(data);
  return text.startsWith('<?xml') && /<w:styles[\s>]/.test(text) && text.trimEnd().endsWith('</w:styles>');
}

/** The styles docx wrote (`input`) patched with `patch` (its key), from the disk cache when an earlier process kept them. */
export async function storedStyles(patch: string, input: Uint8Array): Promise<Uint8Array | undefined> {
  const key = keyOf(patch, input);
  return key === undefined ? undefined : cache().get(key, isStylesPart);
}

/** Keep the styles `input` patched with `patch` (`output`) for the next process. */
export async function storeStyles(patch: string, input: Uint8Array, output: Uint8Array): Promise<void> {
  const key = keyOf(patch, input);
  if (key !== undefined) await cache().put(key, output);
}
