// Paths to shared test material (read in place; never copied into the repository).
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const REPO_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** IBSI 1 reference material: `../shared/ibsi` next to the checkout, or $IBSI_DIR. */
export const IBSI_DIR = process.env.IBSI_DIR ?? resolve(REPO_DIR, '../shared/ibsi');
