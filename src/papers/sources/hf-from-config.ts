/** The Hugging Face client and Daily Papers source as the configuration sets them up. */
import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import { createHfClient, type HfClient } from './hf-client.ts';
import { hfDailySource } from './hf-daily.ts';
import type { PaperSource } from './source.ts';

export function hfClientFromConfig(config: Config, log?: Logger): HfClient {
  return createHfClient({
    baseUrl: config.HF_API_URL,
    token: config.HF_TOKEN,
    timeoutMs: config.HF_TIMEOUT_MS,
    retries: config.HF_RETRIES,
    maxWaitMs: config.HF_MAX_WAIT_SECONDS * 1000,
    concurrency: config.HF_CONCURRENCY,
    log,
  });
}

export function hfSourceFromConfig(config: Config, client: HfClient, log?: Logger, now?: () => Date): PaperSource {
  return hfDailySource({ baseUrl: config.HF_API_URL, client, log, now });
}
