/**
 * fontkit, loaded as CommonJS: pdfkit (inside pdfmake) requires the CommonJS build, and importing
 * the ES module build as well would load and compile fontkit twice (~150 ms at start-up).
 */
import { createRequire } from 'node:module';
import type * as Fontkit from 'fontkit';

const require = createRequire(import.meta.url);
export const fontkit = require('fontkit') as typeof Fontkit;
export type Font = Fontkit.Font;
