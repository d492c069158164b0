/** The part of subset-font 2.9 (HarfBuzz hb-subset compiled to WebAssembly) that letterpress uses. */
declare module 'subset-font' {
  interface SubsetOptions {
    targetFormat?: 'truetype' | 'woff' | 'woff2' | 'sfnt';
    /** OpenType layout features to keep (default: all). */
    keepFeatures?: string[];
    noHinting?: boolean;
    preserveNameIds?: number[];
  }
  export default function subsetFont(font: Uint8Array, text: string, options?: SubsetOptions): Promise<Buffer>;
}
