// The topic tagger on a worker thread (see tag-pool.ts). Plain JavaScript: a
// worker starts without the TypeScript loader the main thread has, so it
// registers tsx itself before loading the tagger.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { tagTopics } = await import('./topics.ts');
parentPort.on('message', ({ id, texts }) => {
  parentPort.postMessage({ id, topics: texts.map((t) => tagTopics(t)) });
});
