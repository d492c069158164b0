/** Errors a renderer reports about its own output (input errors are BuildErrors). */
import { formatReport, type PreflightReport } from './pdf/report.js';

export class PreflightFailed extends Error {
  constructor(readonly report: PreflightReport) {
    super(formatReport('PDF', report));
    this.name = 'PreflightFailed';
  }
}
