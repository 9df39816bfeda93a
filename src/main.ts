/**
 * The `paperboy` command's entry, whichever way it runs: `src/bin.js` loads
 * it through tsx (no build step: `npm start`, development, tests), and
 * `npm run build` compiles it with the rest of `src` to `dist/main.js`,
 * which the image runs (README, Running in production: a compiled worker
 * uses less memory and CPU per email than one compiling as it loads).
 */
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
