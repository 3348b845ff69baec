import { WaasClient } from '../client/index.js';
import { apiBasePath, endpoints, findEndpoint, type EndpointName } from '../endpoints.js';
import { parseCommandArgs, programName, stringValue, UsageError, type Command, type Io } from './args.js';
import { resolveCallConfig } from './config.js';

/** Parameters on one command line; more is a mistake, not a use. */
const paramsMax = 100;

const endpointList = (Object.keys(endpoints) as EndpointName[])
  .map((name) => `  ${name.padEnd(22)} ${endpoints[name].method.padEnd(4)} ${apiBasePath}${endpoints[name].path}`)
  .join('\n');

const help = `Usage: ${programName} call <endpoint> [key=value | key:=json]... [options]

Calls a WaaS v2 endpoint and prints the decrypted \`data\` of the answer as JSON.
The endpoint is a name (getByUidAndSymbol) or a path (/account/getByUidAndSymbol).
  key=value    a string parameter            uid=12345 symbol=ETH
  key:=json    a JSON parameter              uid:=12345 ids:='[1,2]'
\`time\`, \`charset\` and \`version\` are added.

Configuration: environment variables, overridden by --config FILE, overridden by flags.
  WAAS_BASE_URL            --base-url URL          service root, e.g. http://127.0.0.1:8080
  WAAS_APP_ID              --app-id ID             the merchant's app_id
  WAAS_PRIVATE_KEY         --private-key KEY       merchant private key: a file or the key text
  WAAS_WALLET_PUBLIC_KEY   --wallet-public-key KEY wallet public key: a file or the key text
  WAAS_TIMEOUT_MS          --timeout-ms MS         per-request timeout (default 30000)
  --config FILE            JSON {"baseUrl","appId","privateKey","walletPublicKey","timeoutMs"};
                           key paths in it are relative to the file
  -h, --help               show this help

Exit status: 0 success; 1 the service answered an error code (printed as "error <code>: <msg>")
or the request failed; 2 wrong usage or configuration.

Endpoints:
${endpointList}
`;

/** Turns `key=value` / `key:=json` arguments into the params object. */
export function parseParams(args: string[], command: string): Record<string, unknown> {
  if (args.length > paramsMax) throw new UsageError(`at most ${paramsMax} parameters`, command);
  const params: Record<string, unknown> = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw new UsageError(`parameter "${arg}" is not key=value (or key:=json)`, command);
    const isJson = arg[at - 1] === ':';
    const key = arg.slice(0, isJson ? at - 1 : at);
    const text = arg.slice(at + 1);
    if (key === '') throw new UsageError(`parameter "${arg}" has no key`, command);
    if (Object.hasOwn(params, key)) throw new UsageError(`parameter "${key}" is given twice`, command);
    if (!isJson) {
      params[key] = text;
      continue;
    }
    try {
      params[key] = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`parameter "${key}:=" is not JSON: ${(error as Error).message}`, command);
    }
  }
  return params;
}

async function run(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs(
    'call',
    argv,
    {
      config: { type: 'string' },
      'base-url': { type: 'string' },
      'app-id': { type: 'string' },
      'private-key': { type: 'string' },
      'wallet-public-key': { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
    true,
  );
  if (parsed.help) {
    io.stdout.write(help);
    return 0;
  }
  const [target, ...paramArgs] = parsed.positionals;
  if (target === undefined) throw new UsageError('which endpoint? e.g. call getCoinList', 'call');
  const name = findEndpoint(target);
  if (name === undefined) {
    throw new UsageError(`unknown endpoint "${target}"; one of: ${Object.keys(endpoints).join(', ')} (or its path)`, 'call');
  }
  const params = parseParams(paramArgs, 'call');
  const config = resolveCallConfig(
    {
      configPath: stringValue(parsed, 'config'),
      flags: {
        baseUrl: stringValue(parsed, 'base-url'),
        appId: stringValue(parsed, 'app-id'),
        privateKey: stringValue(parsed, 'private-key'),
        walletPublicKey: stringValue(parsed, 'wallet-public-key'),
        timeoutMs: stringValue(parsed, 'timeout-ms'),
      },
      note: (text) => io.stderr.write(`${programName} call: ${text}\n`),
    },
    io.env,
    io.cwd,
    'call',
  );

  const client = new WaasClient({
    baseUrl: config.baseUrl,
    appId: config.appId,
    privateKey: config.privateKey,
    walletPublicKey: config.walletPublicKey,
    timeoutMs: config.timeoutMs,
  });
  // The params come from the command line, so their shape is the service's to judge.
  const payload = await client.call(name, params as never);
  io.stdout.write(JSON.stringify(payload ?? null, null, 2) + '\n');
  return 0;
}

/** `openwaas-sdk call`: one API call from the command line. */
export const call: Command = { summary: 'call an endpoint and print the decrypted answer', help, run };
