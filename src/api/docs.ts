/** OpenAPI for the JSON API, generated from the routes' zod schemas, browsable at /docs. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'paperboy',
        description: 'Subscribe to a daily email of trending AI papers, manage preferences, unsubscribe.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: { linkToken: { type: 'http', scheme: 'bearer', description: 'the token from a link in an email' } },
      },
    },
    transform: jsonSchemaTransform,
    // Pages (HTML) are for people, not programs.
    hideUntagged: true,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
