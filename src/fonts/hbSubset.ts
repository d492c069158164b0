/**
 * HarfBuzz's hb-subset (harfbuzzjs's own build of it, dist/harfbuzz-subset.wasm, a module with no
 * imports) called directly, with the calls subset-font 2.9 makes for a TrueType font subset to
 * TrueType with a list of layout features kept — so the bytes are the ones subset-font gives
 * (test/hbSubset.test.ts compares them).
 *
 * Why not through subset-font: loading it loads fontverter, which starts the WOFF2 encoder and
 * decoder (two more WebAssembly modules, Brotli inside) for conversions a TrueType-to-TrueType
 * subset never makes: ~25 ms of the build's thread and ~35 ms of CPU in each process that
 * makes a Word subset (measured on Node 20, --liftoff-only).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The part of Node's WebAssembly global used here (the project's lib, ES2023, declares none). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

/** The exports of harfbuzz-subset.wasm used here (pointers and handles are numbers). */
interface HbSubsetExports {
  memory: { buffer: ArrayBuffer };
  _initialize(): void;
  malloc(size: number): number;
  free(pointer: number): void;
  hb_blob_create(data: number, length: number, mode: number, userData: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, length: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_clear(set: number): void;
  hb_set_add(set: number, value: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_or_fail(face: number, input: number): number;
}

const HB_MEMORY_MODE_WRITABLE = 2;
const HB_SUBSET_SETS_LAYOUT_FEATURE_TAG = 6;

/** An OpenType tag as HarfBuzz's hb_tag_t (subset-font's HB_TAG). */
const hbTag = (tag: string): number => [...tag].reduce((value, ch) => (value << 8) + ch.charCodeAt(0), 0);

/** harfbuzzjs's hb-subset build, as its package exports it. */
const HB_SUBSET_WASM = 'harfbuzzjs/dist/harfbuzz-subset.wasm';

let instance: HbSubsetExports | undefined;

/**
 * hb-subset's WebAssembly instance, started once per process (and only when a subset is made).
 * Compiled here, synchronously: with V8's baseline compiler alone (src/cli/codeCache.ts) that is
 * ~15 ms of this thread, where `WebAssembly.instantiate` left the build waiting ~20–90 ms for
 * its background compile and took more CPU (measured on Node 20, --liftoff-only).
 */
function hbSubset(): HbSubsetExports {
  if (!instance) {
    const module = new WebAssembly.Module(readFileSync(require.resolve(HB_SUBSET_WASM)));
    instance = new WebAssembly.Instance(module, {}).exports as HbSubsetExports;
    instance._initialize();
  }
  return instance;
}

/**
 * A TrueType subset of the TrueType/OpenType font `font` with the characters of `text` and the
 * layout features `features` (nothing else of hb-subset's defaults changed).
 */
export async function subsetWithHarfBuzz(font: Uint8Array, text: string, features: readonly string[]): Promise<Uint8Array> {
  const hb = hbSubset();
  const input = hb.hb_subset_input_create_or_fail();
  if (input === 0) throw new Error('hb_subset_input_create_or_fail (HarfBuzz) failed: out of memory?');
  const fontBuffer = hb.malloc(font.byteLength);
  if (fontBuffer === 0) {
    // Writing the font at address 0 would overwrite the instance's own memory.
    hb.hb_subset_input_destroy(input);
    throw new Error('HarfBuzz could not allocate memory for the font (malloc failed).');
  }
  // The WebAssembly memory may grow at any call: a view of it is taken where it is used.
  new Uint8Array(hb.memory.buffer).set(font, fontBuffer);
  const blob = hb.hb_blob_create(fontBuffer, font.byteLength, HB_MEMORY_MODE_WRITABLE, 0, 0);
  const face = hb.hb_face_create(blob, 0);
  hb.hb_blob_destroy(blob);
  try {
    const layoutFeatures = hb.hb_subset_input_set(input, HB_SUBSET_SETS_LAYOUT_FEATURE_TAG);
    hb.hb_set_clear(layoutFeatures);
    for (const feature of features) hb.hb_set_add(layoutFeatures, hbTag(feature));
    const unicodes = hb.hb_subset_input_unicode_set(input);
    for (const ch of text) hb.hb_set_add(unicodes, ch.codePointAt(0) ?? 0);
    let subset: number;
    try {
      subset = hb.hb_subset_or_fail(face, input);
    } finally {
      hb.hb_subset_input_destroy(input);
    }
    if (subset === 0) throw new Error('hb_subset_or_fail (HarfBuzz) failed: is the font file damaged?');
    const result = hb.hb_face_reference_blob(subset);
    const offset = hb.hb_blob_get_data(result, 0);
    const length = hb.hb_blob_get_length(result);
    const bytes = new Uint8Array(hb.memory.buffer).slice(offset, offset + length);
    hb.hb_blob_destroy(result);
    hb.hb_face_destroy(subset);
    if (length === 0) throw new Error('hb-subset (HarfBuzz) made an empty font: is the font file damaged?');
    return bytes;
  } finally {
    hb.hb_face_destroy(face);
    hb.free(fontBuffer);
  }
}
