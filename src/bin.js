#!/usr/bin/env node
// The `paperboy` command. TypeScript runs as is through tsx's loader, so the
// command works right after `npm ci` with no build step; `npm run build`
// compiles the same code to dist/ (dist/main.js) for production.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
