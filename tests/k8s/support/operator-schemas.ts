import { z } from 'zod';

// Strict schemas (an unknown field is an error) for the operator resources the
// example overlay uses. No kubernetes-models package exists for the RabbitMQ
// Cluster Operator or CloudNativePG, so these follow their CRDs' documented
// fields (rabbitmq.com/v1beta1 RabbitmqCluster; postgresql.cnpg.io/v1 Cluster and
// Pooler), limited to what a Tributary install sets; anything else fails here
// first and is added on purpose.

const quantity = z.union([z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/), z.number()]);
const resources = z.strictObject({
  requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
});
const metadata = z.looseObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export const rabbitmqClusterSchema = z.strictObject({
  apiVersion: z.literal('rabbitmq.com/v1beta1'),
  kind: z.literal('RabbitmqCluster'),
  metadata,
  spec: z.strictObject({
    replicas: z.number().int().min(1),
    image: z.string().optional(),
    resources: resources.optional(),
    persistence: z
      .strictObject({ storageClassName: z.string().optional(), storage: quantity.optional() })
      .optional(),
    rabbitmq: z
      .strictObject({
        additionalConfig: z.string().optional(),
        additionalPlugins: z.array(z.string()).optional(),
        advancedConfig: z.string().optional(),
      })
      .optional(),
    service: z
      .strictObject({ type: z.enum(['ClusterIP', 'LoadBalancer', 'NodePort']).optional() })
      .optional(),
    // The operator's StatefulSet/Service override is a partial Kubernetes object; checked loosely.
    override: z
      .strictObject({ statefulSet: z.looseObject({}).optional(), service: z.looseObject({}).optional() })
      .optional(),
    affinity: z.looseObject({}).optional(),
    tolerations: z.array(z.looseObject({})).optional(),
  }),
});

export const cnpgClusterSchema = z.strictObject({
  apiVersion: z.literal('postgresql.cnpg.io/v1'),
  kind: z.literal('Cluster'),
  metadata,
  spec: z.strictObject({
    instances: z.number().int().min(1),
    imageName: z.string().optional(),
    primaryUpdateStrategy: z.enum(['unsupervised', 'supervised']).optional(),
    storage: z.strictObject({ size: quantity, storageClass: z.string().optional() }),
    postgresql: z.strictObject({ parameters: z.record(z.string(), z.string()).optional() }).optional(),
    bootstrap: z
      .strictObject({
        initdb: z.strictObject({
          database: z.string(),
          owner: z.string(),
          secret: z.strictObject({ name: z.string() }).optional(),
        }),
      })
      .optional(),
    resources: resources.optional(),
  }),
});

export const cnpgPoolerSchema = z.strictObject({
  apiVersion: z.literal('postgresql.cnpg.io/v1'),
  kind: z.literal('Pooler'),
  metadata,
  spec: z.strictObject({
    cluster: z.strictObject({ name: z.string() }),
    instances: z.number().int().min(1).optional(),
    type: z.enum(['rw', 'ro']),
    pgbouncer: z.strictObject({
      poolMode: z.enum(['session', 'transaction']),
      parameters: z.record(z.string(), z.string()).optional(),
    }),
  }),
});

/** The strict schema of an operator kind, if this is one. */
export function operatorSchema(apiVersion: string, kind: string): z.ZodType | undefined {
  if (apiVersion === 'rabbitmq.com/v1beta1' && kind === 'RabbitmqCluster') return rabbitmqClusterSchema;
  if (apiVersion === 'postgresql.cnpg.io/v1' && kind === 'Cluster') return cnpgClusterSchema;
  if (apiVersion === 'postgresql.cnpg.io/v1' && kind === 'Pooler') return cnpgPoolerSchema;
  return undefined;
}
