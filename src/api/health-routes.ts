/**
 * /readyz: can this process serve? The database must answer, and Redis too when
 * it is configured. 503 names what failed, so a load balancer's log says why.
 */
import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const CHECK_TIMEOUT_MS = 2_000;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const readyBody = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.string()),
  message: z.string().optional(),
});

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'Database (and Redis, when configured) reachable', response: { 200: readyBody, 503: readyBody } } },
    async (req, reply) => {
      const { db, redis } = app.deps;
      const checks: Record<string, string> = {};
      const probes: [string, () => Promise<unknown>][] = [['database', () => db.execute(sql`SELECT 1`)]];
      if (redis) probes.push(['redis', () => redis.ping()]);
      await Promise.all(
        probes.map(async ([name, probe]) => {
          try {
            await within(probe(), CHECK_TIMEOUT_MS);
            checks[name] = 'ok';
          } catch (err) {
            checks[name] = `unreachable: ${(err as Error).message}`;
          }
        }),
      );
      const failed = Object.keys(checks).filter((k) => checks[k] !== 'ok');
      if (!failed.length) return { status: 'ok' as const, checks };
      req.log.warn({ checks }, 'not ready');
      return reply.code(503).send({ status: 'unavailable', checks, message: `${failed.join(' and ')} unreachable` });
    },
  );
};
