/** A font the template names cannot be used (missing file, outside the project, a collection). */
export class FontProblem extends Error {}
