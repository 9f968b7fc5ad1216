// Loaded into each corpus CLI run (node --import): records the process's peak resident memory on exit.
import { writeFileSync } from 'node:fs';

const file = process.env.CORPUS_PROBE_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
