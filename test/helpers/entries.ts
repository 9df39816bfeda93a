/** The two ways the `paperboy` command runs, for tests and benches that start it. */

/** From source, through tsx (`npm start`, development). */
export const SOURCE_ENTRY = 'src/bin.js';
/** As the image runs it: the compiled build (`npm run build`). */
export const COMPILED_ENTRY = 'dist/main.js';
