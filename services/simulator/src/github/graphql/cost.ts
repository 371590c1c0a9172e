import {
  Kind,
  OperationTypeNode,
  getNamedType,
  isCompositeType,
  isListType,
  getNullableType,
  valueFromASTUntyped,
} from 'graphql';
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLCompositeType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';

/** GitHub's hard cap on nodes one query may ask for. */
export const NODE_LIMIT = 500_000;

export interface CostError {
  type: 'MAX_NODE_LIMIT_EXCEEDED' | 'EXCESSIVE_PAGINATION' | 'MISSING_PAGINATION_BOUNDARIES';
  message: string;
}

export interface QueryCost {
  /** Requests needed to fill every connection, each assumed to reach its `first`/`last`. */
  requests: number;
  /** Points charged: requests ÷ 100, rounded, at least 1. */
  cost: number;
  nodes: number;
  errors: CostError[];
}

const isConnectionName = (name: string): boolean => name.endsWith('Connection');

/**
 * Cost as GitHub documents it ("Calculating a rate limit score"): add up the requests needed to
 * fulfil each connection, assuming every one reaches its `first`/`last`; a connection inside
 * another is requested once per parent node. Divide by 100, round, minimum 1. The same walk
 * counts nodes against the 500 000 limit and checks `first`/`last` are given and within 1–100.
 * A plain list taking `ids` (`nodes(ids:)`) multiplies what is below it by the number of ids.
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): QueryCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const out: QueryCost = { requests: 0, cost: 1, nodes: 0, errors: [] };

  const arg = (field: FieldNode, name: string): unknown => {
    const node = field.arguments?.find((a) => a.name.value === name);
    return node === undefined ? undefined : valueFromASTUntyped(node.value, variables);
  };

  const walk = (
    parent: GraphQLCompositeType,
    set: SelectionSetNode,
    multiplier: number,
    seen: ReadonlySet<string>,
  ): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const on = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (on && isCompositeType(on)) walk(on, sel.selectionSet, multiplier, seen);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        if (!frag || seen.has(frag.name.value)) continue;
        const on = schema.getType(frag.typeCondition.name.value);
        if (on && isCompositeType(on))
          walk(on, frag.selectionSet, multiplier, new Set([...seen, frag.name.value]));
        continue;
      }
      if (!sel.selectionSet || !('getFields' in parent)) continue;
      const def = parent.getFields()[sel.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (!isCompositeType(named)) continue;
      let childMultiplier = multiplier;
      if (isConnectionName(named.name) && def.args.some((a) => a.name === 'first')) {
        const first = arg(sel, 'first');
        const last = arg(sel, 'last');
        const size = typeof first === 'number' ? first : typeof last === 'number' ? last : null;
        const wantsItems = sel.selectionSet.selections.some(
          (s) => s.kind !== Kind.FIELD || s.name.value === 'nodes' || s.name.value === 'edges',
        );
        if (size === null && wantsItems) {
          out.errors.push({
            type: 'MISSING_PAGINATION_BOUNDARIES',
            message: `You must provide a \`first\` or \`last\` value to properly paginate the \`${sel.name.value}\` connection.`,
          });
        } else if (size !== null && (size < 1 || size > 100)) {
          const which = typeof first === 'number' ? 'first' : 'last';
          out.errors.push({
            type: 'EXCESSIVE_PAGINATION',
            message: `Requesting ${size} records on the \`${sel.name.value}\` connection exceeds the \`${which}\` limit of 100 records.`,
          });
        }
        const n = Math.max(1, Math.min(100, size ?? 1));
        out.requests += multiplier;
        out.nodes += multiplier * n;
        childMultiplier = multiplier * n;
        if (out.nodes > NODE_LIMIT && !out.errors.some((e) => e.type === 'MAX_NODE_LIMIT_EXCEEDED')) {
          out.errors.push({
            type: 'MAX_NODE_LIMIT_EXCEEDED',
            message: `By the time this query traverses to the ${sel.name.value} connection, it is requesting up to ${out.nodes} possible nodes which exceeds the maximum limit of ${NODE_LIMIT}.`,
          });
        }
      } else if (isListType(getNullableType(def.type))) {
        const ids = arg(sel, 'ids');
        if (Array.isArray(ids)) childMultiplier = multiplier * Math.max(1, ids.length);
      }
      walk(named, sel.selectionSet, childMultiplier, seen);
    }
  };

  const root =
    operation.operation === OperationTypeNode.QUERY
      ? schema.getQueryType()
      : operation.operation === OperationTypeNode.MUTATION
        ? schema.getMutationType()
        : null;
  if (root) walk(root, operation.selectionSet, 1, new Set());
  out.cost = Math.max(1, Math.round(out.requests / 100));
  return out;
}
