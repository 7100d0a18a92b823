import type { JsonSchema } from './protocol.js';

/** Gives a string for a property, e.g. a summary drawn from the conversation. */
export type StringFor = (key: string, schema: JsonSchema) => string;

const MAX_DEPTH = 12;

/**
 * A value that matches `schema` (the subset of JSON Schema that structured outputs and tool
 * parameters use: objects, arrays, strings, numbers, booleans, null, enum, const, anyOf/oneOf,
 * allOf, local `$ref`s). Deterministic: the same schema gives the same value.
 */
export function valueFromSchema(
  schema: JsonSchema,
  stringFor: StringFor = (key) => `simulated ${key}`,
): unknown {
  const root = schema;
  const visit = (node: JsonSchema, key: string, depth: number): unknown => {
    if (depth > MAX_DEPTH) return null;
    if (typeof node.$ref === 'string') {
      const target = resolveRef(root, node.$ref);
      return target ? visit(target, key, depth + 1) : null;
    }
    if ('const' in node) return node.const;
    if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
    for (const combinator of ['anyOf', 'oneOf'] as const) {
      const options = node[combinator];
      if (Array.isArray(options) && options.length > 0) {
        const pick =
          (options as JsonSchema[]).find((o) => o.type !== 'null') ?? (options[0] as JsonSchema);
        return visit(pick, key, depth + 1);
      }
    }
    if (Array.isArray(node.allOf)) {
      const merged: JsonSchema = {};
      for (const part of node.allOf as JsonSchema[]) Object.assign(merged, part);
      return visit(merged, key, depth + 1);
    }
    const type = Array.isArray(node.type)
      ? (node.type as string[]).find((t) => t !== 'null')
      : (node.type as string | undefined);
    switch (type ?? (node.properties ? 'object' : undefined)) {
      case 'object': {
        const out: Record<string, unknown> = {};
        const properties = (node.properties ?? {}) as Record<string, JsonSchema>;
        for (const [name, child] of Object.entries(properties))
          out[name] = visit(child, name, depth + 1);
        return out;
      }
      case 'array': {
        const min = typeof node.minItems === 'number' ? node.minItems : 1;
        const max = typeof node.maxItems === 'number' ? node.maxItems : Math.max(min, 2);
        const count = Math.max(min, Math.min(2, max));
        const items = (node.items ?? {}) as JsonSchema;
        return Array.from({ length: count }, (_, i) => visit(items, `${key} ${i + 1}`, depth + 1));
      }
      case 'string':
        return stringValue(node, key, stringFor);
      case 'integer':
      case 'number': {
        let value = 1;
        if (typeof node.minimum === 'number') value = Math.max(value, node.minimum);
        if (typeof node.exclusiveMinimum === 'number')
          value = Math.max(value, node.exclusiveMinimum + 1);
        if (typeof node.maximum === 'number') value = Math.min(value, node.maximum);
        if (typeof node.exclusiveMaximum === 'number')
          value = Math.min(value, node.exclusiveMaximum - 1);
        return type === 'integer' ? Math.ceil(value) : value;
      }
      case 'boolean':
        return true;
      case 'null':
        return null;
      default:
        return stringFor(key, node);
    }
  };
  return visit(schema, 'value', 0);
}

function stringValue(node: JsonSchema, key: string, stringFor: StringFor): string {
  switch (node.format) {
    case 'date-time':
      return '2025-01-01T00:00:00.000Z';
    case 'date':
      return '2025-01-01';
    case 'email':
      return 'simulated@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com/';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
  }
  let text = stringFor(key, node);
  if (typeof node.maxLength === 'number') text = text.slice(0, node.maxLength);
  if (typeof node.minLength === 'number' && text.length < node.minLength)
    text = text.padEnd(node.minLength, '.');
  return text;
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const segment of ref.slice(1).split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node !== null && typeof node === 'object' ? (node as JsonSchema) : undefined;
}

/**
 * The argument sets a simulated model calls one tool with: one call, or one per value of the
 * first property that has an `enum` (at most `max`), the other properties sampled.
 */
export function argumentVariants(parameters: JsonSchema | undefined, max: number): unknown[] {
  const schema = parameters ?? { type: 'object', properties: {} };
  const base = valueFromSchema(schema, (key) => `simulated ${key}`);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const entry = Object.entries(properties).find(
    ([, p]) => Array.isArray(p.enum) && p.enum.length > 1,
  );
  if (!entry || base === null || typeof base !== 'object') return [base];
  const [name, property] = entry;
  return (property.enum as unknown[])
    .slice(0, max)
    .map((value) => ({ ...(base as object), [name]: value }));
}
