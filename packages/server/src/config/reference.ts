/**
 * The configuration reference, read off the schema itself: every setting's path, type,
 * default, environment variable and description. docs/configuration.md is generated from it
 * (`npm run docs:config`, checked by a test), and `openwaas config check` prints the effective
 * settings through `redactedConfig`, which hides what the schema marks secret.
 */
import { z } from 'zod';
import { redactedUrl } from '../http/redacted-url.js';
import { otherEnvironment, serviceConfigSchema, settingEnvironment, type ServiceConfig } from './config.js';

/** The JSON Schema node of one setting, with our metadata (secret, redact). */
interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  additionalProperties?: Node | boolean;
  anyOf?: Node[];
  secret?: boolean;
  redact?: 'url';
  format?: string;
}

/** One row of the reference. */
export interface SettingRow {
  /** Dotted path in the file: `chains[].rpcUrl`, `kyt.breaker.windowMs`. */
  path: string;
  env: string | null;
  type: string;
  /** The default as JSON, or null when there is none (required or simply absent). */
  defaultJson: string | null;
  required: boolean;
  meaning: string;
  /** secret: never printed; url: shown with its credentials redacted. */
  shown: 'as-is' | 'secret' | 'url-redacted';
}

let cachedSchema: Node | undefined;
function rootNode(): Node {
  cachedSchema ??= z.toJSONSchema(serviceConfigSchema, { io: 'input', unrepresentable: 'any' }) as Node;
  return cachedSchema;
}

function typeOf(node: Node): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (node.anyOf) return node.anyOf.map(typeOf).join(' or ');
  const type = Array.isArray(node.type) ? node.type.join(' or ') : (node.type ?? 'any');
  if (type === 'array' && node.items) return `array of ${typeOf(node.items)}`;
  if (type === 'object' && !node.properties && node.additionalProperties && typeof node.additionalProperties === 'object') return `map of ${typeOf(node.additionalProperties)}`;
  if (type === 'string' && node.format === 'uri') return 'URL';
  return type;
}

/** Every setting, depth first, in the schema's order. */
export function configurationReference(): SettingRow[] {
  const envOf = new Map<string, string>(settingEnvironment.map((e) => [e.setting, e.env]));
  const rows: SettingRow[] = [];
  const walk = (node: Node, prefix: string, required: boolean) => {
    const path = prefix;
    rows.push({
      path,
      env: envOf.get(path) ?? null,
      type: typeOf(node),
      defaultJson: node.default === undefined ? null : JSON.stringify(node.default),
      required,
      meaning: node.description ?? '',
      shown: node.secret ? 'secret' : node.redact === 'url' ? 'url-redacted' : 'as-is',
    });
    const objectNode = node.type === 'array' && node.items?.properties ? node.items : node.properties ? node : undefined;
    if (!objectNode?.properties) return;
    const base = node.type === 'array' ? `${path}[]` : path;
    for (const [key, child] of Object.entries(objectNode.properties)) walk(child, `${base}.${key}`, (objectNode.required ?? []).includes(key));
  };
  const root = rootNode();
  for (const [key, child] of Object.entries(root.properties ?? {})) walk(child, key, (root.required ?? []).includes(key));
  return rows;
}

/** The configuration as it may be shown: secrets replaced by "(set)", URLs with their credentials redacted. */
export function redactedConfig(config: ServiceConfig): unknown {
  const show = (value: unknown, node: Node | undefined): unknown => {
    if (value === undefined || value === null || !node) return value;
    if (node.secret) return '(set, not shown)';
    if (node.redact === 'url' && typeof value === 'string') return redactedUrl(value);
    if (Array.isArray(value)) return value.map((item) => show(item, node.items));
    if (typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const child = node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
        out[key] = show(item, child);
      }
      return out;
    }
    return value;
  };
  return show(config, rootNode());
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** docs/configuration.md. */
export function configurationDoc(): string {
  const rows = configurationReference();
  return [
    '# Configuration',
    '',
    'Generated from the configuration schema (packages/server/src/config/) by `npm run docs:config`;',
    'a test checks that this page matches it. Settings come from, in increasing precedence: the',
    'defaults, the JSON file named by `OPENWAAS_CONFIG` (keys as in the first column), environment',
    "variables, and the command's own options. `openwaas config check` validates a configuration",
    'and prints the effective settings (secrets not shown, URLs with their credentials redacted);',
    '`docs/examples/production.json` is an example production file.',
    '',
    '`chains[].x` is a setting of each entry of `chains`. A JSON-valued variable (`OPENWAAS_CHAINS`,',
    '`OPENWAAS_KYT`, `OPENWAAS_REMOTE_SIGNER`) holds the whole setting as JSON; a list variable is',
    'comma-separated; a flag variable is 1/true/yes or 0/false/no.',
    '',
    '| setting | environment | type | default | meaning |',
    '|---|---|---|---|---|',
    ...rows.map((r) => {
      const shown = r.shown === 'secret' ? ' Secret: never logged or printed.' : '';
      const need = r.required ? ' Required.' : '';
      return `| \`${r.path}\` | ${r.env ? `\`${r.env}\`` : ''} | ${cell(r.type)} | ${r.defaultJson === null ? '' : `\`${cell(r.defaultJson)}\``} | ${cell(r.meaning)}${need}${shown} |`;
    }),
    '',
    '## Other environment variables',
    '',
    '| variable | meaning |',
    '|---|---|',
    ...otherEnvironment.map((e) => `| \`${e.env}\` | ${cell(e.meaning)} |`),
    '',
  ].join('\n');
}
