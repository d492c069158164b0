/** An edit of the signatory file that was refused (duplicate, unknown name, bad date); nothing was written. */
export class EditRefused extends Error {}
