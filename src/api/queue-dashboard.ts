/**
 * The BullMQ dashboard (bull-board) at /admin/queues, for a process that has
 * the queues (REDIS_URL set). Access is whatever `authorize` decides: it runs
 * before every dashboard route, page, API and static file alike: monitoring.ts
 * passes the admin check (session cookie or Bearer ADMIN_TOKEN).
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

export interface QueueDashboardOptions {
  queues: Queue[];
  /** A preHandler: throws (or replies) to refuse. */
  authorize: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** Any logger and type provider: app.ts has pino's and zod's. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AppInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, any, any>;

export async function queueDashboard(app: AppInstance, opts: QueueDashboardOptions): Promise<void> {
  const adapter = new FastifyAdapter();
  adapter.setBasePath(QUEUE_DASHBOARD_PATH);
  // @bull-board/fastify pins its own copy of @bull-board/api (a patch apart): same shape, separate declarations.
  const serverAdapter = adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'];
  createBullBoard({ queues: opts.queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  // Encapsulated: the hook guards the dashboard's routes and nothing else.
  await app.register(async (scope) => {
    scope.addHook('preHandler', opts.authorize);
    await scope.register(adapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  });
}
