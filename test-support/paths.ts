// Paths to shared test material (read in place; never copied into the repository).
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const REPO_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** IBSI 1 reference material: `../shared/ibsi` next to the checkout, or $IBSI_DIR. */
export const IBSI_DIR = process.env.IBSI_DIR ?? resolve(REPO_DIR, '../shared/ibsi');
/** IBSI/QIBA SUV digital reference objects: `../shared/suv-dro` next to the checkout, or $SUV_DRO_DIR. */
export const SUV_DRO_DIR = process.env.SUV_DRO_DIR ?? resolve(REPO_DIR, '../shared/suv-dro');
