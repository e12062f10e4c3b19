// `node --import ./test/support/load-recorder.mjs`: appends the URL of every module the process loads through the
// ESM loader (our TypeScript files, and packages such as smtp-server) to the file named by LOAD_RECORD_FILE.
// Registered after tsx, so it sees each URL before tsx compiles it.
import { register } from 'node:module';

register('./load-recorder-hooks.mjs', import.meta.url, { data: { file: process.env.LOAD_RECORD_FILE } });
