import { loadLetter } from './dist/model/loadLetter.js';
import { layoutPdf } from './dist/render/pdf/index.js';
const { document } = await loadLetter('letter.md');
let t = performance.now();
layoutPdf(document); console.log('layout cold', performance.now() - t);
