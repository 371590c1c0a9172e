import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { hearClientErrors, runMigrations } from '@tributary/db';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server-level URL (its database is only used to create others). */
    databaseUrl: string;
    /** A database migrated once; each test file clones it. */
    templateDatabase: string;
    amqpUrl: string;
  }
}

type Stop = () => Promise<unknown>;

/**
 * Uses DATABASE_URL / AMQP_URL when set (CI and these machines); otherwise starts
 * Postgres and RabbitMQ with testcontainers. Migrates one template database, which
 * each test file clones: a clone is much faster than migrating again.
 */
export default async function setup(project: TestProject): Promise<Stop> {
  const stops: Stop[] = [];
  let databaseUrl = process.env.DATABASE_URL;
  let amqpUrl = process.env.AMQP_URL;

  if (!databaseUrl) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    databaseUrl = container.getConnectionUri();
    stops.push(() => container.stop());
  }
  if (!amqpUrl) {
    const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
    const container = await new RabbitMQContainer('rabbitmq:3.10-management-alpine').start();
    amqpUrl = container.getAmqpUrl();
    stops.push(() => container.stop());
  }

  const templateDatabase = `tributary_tpl_${project.name}_${process.pid}`;
  const admin = hearClientErrors(new pg.Client({ connectionString: databaseUrl }));
  await admin.connect();
  await admin.query(`drop database if exists ${templateDatabase}`);
  await admin.query(`create database ${templateDatabase}`);
  await admin.end();
  await runMigrations(withDatabase(databaseUrl, templateDatabase));

  project.provide('databaseUrl', databaseUrl);
  project.provide('templateDatabase', templateDatabase);
  project.provide('amqpUrl', amqpUrl);

  const serverUrl = databaseUrl;
  return async () => {
    const client = hearClientErrors(new pg.Client({ connectionString: serverUrl }));
    await client.connect();
    await client.query(`drop database if exists ${templateDatabase} with (force)`);
    await client.end();
    for (const stop of stops.reverse()) await stop();
  };
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
