/**
 * A language tag (BCP 47: "en", "zh-Hans-CN", "ko", "en-x-plain"), as HTML's lang attribute takes
 * it: the one rule for a letter's lang, a template's and a per-language name's key.
 */
export const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;
