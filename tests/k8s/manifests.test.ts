import { describe, expect, it } from 'vitest';
import { label, render, type K8sObject } from './support/render.ts';
import { modelModule, typeCheck } from './support/typecheck.ts';
import { operatorSchema } from './support/operator-schemas.ts';

// infra/k8s renders with `kubectl kustomize`, and every object it renders is
// checked against its schema: kubernetes-models (core, apps, batch, policy) and
// @kubernetes-models/keda types at compile depth (unknown fields, wrong types)
// plus their runtime validators (required fields, formats); strict schemas of our
// own for the RabbitMQ and CloudNativePG operator resources. Then what an
// operator relies on: probes, replicas, grace periods, budgets, KEDA targets.

const OVERLAYS = ['infra/k8s/base', 'infra/k8s/overlays/example', 'infra/k8s/overlays/managed'] as const;

async function schemaProblems(objects: readonly K8sObject[]): Promise<string[]> {
  const problems = typeCheck(objects);
  for (const o of objects) {
    const module = modelModule(o);
    const strict = operatorSchema(o.apiVersion, o.kind);
    if (module) {
      const exports = (await import(module)) as Record<
        string,
        new (data: unknown) => { validate: () => void }
      >;
      try {
        new exports[o.kind]!(o).validate();
      } catch (error) {
        problems.push(`${label(o)}: ${(error as Error).message}`);
      }
    } else if (strict) {
      const parsed = strict.safeParse(o);
      if (!parsed.success)
        problems.push(...parsed.error.issues.map((i) => `${label(o)}: ${i.path.join('.')}: ${i.message}`));
    } else {
      problems.push(`${label(o)}: no schema for ${o.apiVersion} ${o.kind}`);
    }
  }
  return problems;
}

type Container = {
  name: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
};
type PodSpec = {
  terminationGracePeriodSeconds?: number;
  containers: Container[];
  initContainers?: Container[];
};
type Workload = K8sObject & {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
};

const byKind = <T extends K8sObject>(objects: readonly K8sObject[], kind: string) =>
  objects.filter((o) => o.kind === kind) as T[];
const deployment = (objects: readonly K8sObject[], name: string) =>
  byKind<Workload>(objects, 'Deployment').find((d) => d.metadata.name === name)!;

describe('infra/k8s', () => {
  for (const dir of OVERLAYS) {
    it(`${dir} renders and every object matches its schema`, async () => {
      const objects = await render(dir);
      expect(objects.length).toBeGreaterThan(10);
      expect(await schemaProblems(objects)).toEqual([]);
      // No secret values in the repository: nothing renders a Secret.
      expect(objects.filter((o) => o.kind === 'Secret').map(label)).toEqual([]);
    });
  }

  it('a wrong field anywhere fails the check, naming the object and the field', async () => {
    const objects = structuredClone(await render('infra/k8s/overlays/example'));
    const backend = deployment(objects, 'tributary-backend');
    const container = backend.spec.template.spec.containers[0]! as Container & Record<string, unknown>;
    container.livenessprobe = container.livenessProbe;
    delete container.livenessProbe;
    const scaled = objects.find((o) => o.kind === 'ScaledObject')! as K8sObject & {
      spec: Record<string, unknown>;
    };
    scaled.spec.minReplicas = scaled.spec.minReplicaCount;
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget')! as K8sObject & {
      spec: Record<string, unknown>;
    };
    pdb.spec.minAvailable = { not: 'a number' };
    const rabbit = objects.find((o) => o.kind === 'RabbitmqCluster')! as K8sObject & {
      spec: Record<string, unknown>;
    };
    rabbit.spec.replica = 3;
    const problems = await schemaProblems(objects);
    expect(problems).toEqual([
      // Unknown fields and wrong types, at any depth (kubernetes-models types, compile-checked).
      `Deployment/tributary-backend: Object literal may only specify known properties, and '"livenessprobe"' does not exist in type 'IContainer'.`,
      `PodDisruptionBudget/tributary-backend: Type '{ not: string; }' is not assignable to type 'IIntOrString | undefined'.`,
      `ScaledObject/tributary-extract: Object literal may only specify known properties, and '"minReplicas"' does not exist in type 'IScaledObjectSpec'.`,
      // The runtime validators (formats, required fields, oneOf).
      'PodDisruptionBudget/tributary-backend: data/spec/minAvailable must be string, data/spec/minAvailable must be integer, data/spec/minAvailable must match exactly one schema in "oneOf"',
      // Our strict operator schemas.
      'RabbitmqCluster/tributary-rabbitmq: spec: Unrecognized key: "replica"',
    ]);
  });

  it('what the services and their operators rely on', async () => {
    const objects = await render('infra/k8s/overlays/example');
    const backend = deployment(objects, 'tributary-backend');
    const worker = deployment(objects, 'tributary-worker');
    const extract = deployment(objects, 'tributary-extract');
    expect(backend.spec.replicas).toBeGreaterThanOrEqual(2);
    for (const d of [backend, worker, extract]) {
      const c = d.spec.template.spec.containers[0]!;
      expect({
        name: d.metadata.name,
        live: c.livenessProbe?.httpGet?.path,
        ready: c.readinessProbe?.httpGet?.path,
      }).toEqual({
        name: d.metadata.name,
        live: '/healthz',
        ready: '/readyz',
      });
      expect(c.resources?.requests?.memory).toBeDefined();
      expect(c.resources?.limits?.memory).toBeDefined();
      // $(VAR) in a value must name a variable defined before it in the same container.
      const seen = new Set<string>();
      for (const env of c.env ?? []) {
        for (const [, ref] of (env.value ?? '').matchAll(/\$\(([A-Z_]+)\)/g))
          expect(seen, `${d.metadata.name} ${env.name} uses ${ref}`).toContain(ref);
        seen.add(env.name);
      }
    }
    // Grace periods cover the services' own forced-exit timeouts (worker 60 s, extract 90 s).
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(60);
    expect(extract.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(90);
    // The backend's pods migrate (idempotently, straight to Postgres) before they start.
    expect(backend.spec.template.spec.initContainers?.[0]?.command).toEqual([
      'node',
      'packages/db/src/migrate-cli.ts',
    ]);
    expect(byKind(objects, 'Job').map(label)).toEqual(['Job/tributary-migrate']);

    // KEDA: workers on etl.transform, extractors on etl.extract, through the TriggerAuthentication.
    type Scaled = K8sObject & {
      spec: {
        scaleTargetRef: { name: string };
        minReplicaCount: number;
        maxReplicaCount: number;
        cooldownPeriod: number;
        triggers: { type: string; metadata: { queueName: string }; authenticationRef: { name: string } }[];
      };
    };
    const auth = byKind(objects, 'TriggerAuthentication').map((o) => o.metadata.name);
    const scaled = byKind<Scaled>(objects, 'ScaledObject')
      .sort((x, y) => x.metadata.name.localeCompare(y.metadata.name))
      .map((s) => ({
        target: s.spec.scaleTargetRef.name,
        queue: s.spec.triggers[0]!.metadata.queueName,
        type: s.spec.triggers[0]!.type,
        authenticated: auth.includes(s.spec.triggers[0]!.authenticationRef.name),
        bounded:
          s.spec.minReplicaCount >= 1 &&
          s.spec.maxReplicaCount > s.spec.minReplicaCount &&
          s.spec.cooldownPeriod > 0,
      }));
    expect(scaled).toEqual([
      {
        target: 'tributary-extract',
        queue: 'etl.extract',
        type: 'rabbitmq',
        authenticated: true,
        bounded: true,
      },
      {
        target: 'tributary-worker',
        queue: 'etl.transform',
        type: 'rabbitmq',
        authenticated: true,
        bounded: true,
      },
    ]);
    // Every budget and Service selects the pods of a Deployment.
    const podLabels = byKind<Workload>(objects, 'Deployment').map((d) => d.spec.template.metadata.labels);
    const selects = (selector: Record<string, string>) =>
      podLabels.some((l) => Object.entries(selector).every(([k, v]) => l[k] === v));
    for (const pdb of byKind<K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }>(
      objects,
      'PodDisruptionBudget',
    )) {
      expect(selects(pdb.spec.selector.matchLabels), label(pdb)).toBe(true);
    }
    for (const svc of byKind<K8sObject & { spec: { selector: Record<string, string> } }>(
      objects,
      'Service',
    )) {
      expect(selects(svc.spec.selector), label(svc)).toBe(true);
    }
    // The operators: three RabbitMQ nodes, Postgres behind a transaction-mode pooler.
    expect(objects.find((o) => o.kind === 'RabbitmqCluster')).toMatchObject({ spec: { replicas: 3 } });
    expect(objects.find((o) => o.kind === 'Pooler')).toMatchObject({
      spec: { pgbouncer: { poolMode: 'transaction' } },
    });
  });
});
