/**
 * Imported (for its effect) before pdfjs-dist by every module that imports it: pdfjs-dist loads
 * @napi-rs/canvas, which scans every system font file when it loads (~0.4 s and 40 MB) unless
 * DISABLE_SYSTEM_FONTS_LOAD is set; the preflight never needs a system font (it reads the PDF's
 * embedded fonts). ES modules are evaluated in the order they are imported, so this runs first.
 */
process.env.DISABLE_SYSTEM_FONTS_LOAD ??= '1';

export {};
