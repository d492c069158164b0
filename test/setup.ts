/** Runs in every test file: the folders a file made with `scratch()` go when it ends, passed or not. */
import { afterAll } from 'vitest';
import { removeScratch } from './helpers.js';

afterAll(() => removeScratch());
