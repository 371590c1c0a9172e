import { join } from 'node:path';
import ts from 'typescript';
import { ROOT, label, type K8sObject } from './render.ts';

/** Where each built-in kind's model (and its `I<Kind>` interface) lives. */
const MODELS: Record<string, string> = {
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Namespace': 'kubernetes-models/v1/Namespace',
  'v1/Service': 'kubernetes-models/v1/Service',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'batch/v1/Job': 'kubernetes-models/batch/v1/Job',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'keda.sh/v1alpha1/ScaledObject': '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
  'keda.sh/v1alpha1/TriggerAuthentication': '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication',
};

/** The kubernetes-models module of an object's kind, if it has one. */
export function modelModule(o: K8sObject): string | undefined {
  return MODELS[`${o.apiVersion}/${o.kind}`];
}

/**
 * Checks every object with a kubernetes-models type against it with the
 * TypeScript compiler: each object becomes a typed object literal, so a field
 * that does not exist at any depth (`livenessprobe`, `minReplicas`) is an
 * excess-property error and a wrong type a type error — what the runtime
 * validators of kubernetes-models do not report (they ignore unknown fields).
 * Returns one line per problem, `Kind/name: message`.
 */
export function typeCheck(objects: readonly K8sObject[]): string[] {
  const imports = new Map<string, string>();
  const lines: string[] = [];
  const owner: number[] = [];
  objects.forEach((o, index) => {
    const module = modelModule(o);
    if (!module) return;
    const type = `I${o.kind}`;
    const alias = `${type}_${[...imports.keys()].length}`;
    const known = imports.get(module);
    const name = known ?? alias;
    if (!known) imports.set(module, name);
    const body = JSON.stringify(o, null, 1).split('\n');
    for (let i = 0; i < body.length; i++) owner.push(index);
    body[0] = `export const o${index}: ${name} = ${body[0]}`;
    lines.push(...body);
  });
  const header = [...imports].map(
    ([module, name]) => `import type { I${module.split('/').at(-1)} as ${name} } from '${module}';`,
  );
  const text = [...header, ...lines].join('\n');
  const file = join(ROOT, 'tests/k8s/__rendered_manifests__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => {
      const line = d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line - header.length;
      const o = objects[owner[line] ?? -1];
      return `${o ? label(o) : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
}
