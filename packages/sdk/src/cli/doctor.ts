import { createPublicKey, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { WaasClient } from '../client/index.js';
import { WaasError, WaasTimeoutError, WaasTransportError } from '../errors/api.js';
import { EnvelopeError } from '../errors/envelope.js';
import { parsePrivateKey } from '../envelope/keys.js';
import { createTestConfirmationRequest, createTestNotification, readConfirmationReply } from '../callbacks/testing.js';
import { parseCommandArgs, parseWholeNumber, programName, stringValue, UsageError, type Command, type Io } from './args.js';
import { readKeyFile, serviceConfigOf, serviceOptions, type CallConfig } from './config.js';

/** The service's accepted distance between a request's `time` and its clock unless it says otherwise (OPENWAAS_TIME_WINDOW_MS). */
const timeWindowMsDefault = 300_000;
/** A skew beyond this share of the window is reported as a warning: a little more drift and requests fail. */
const skewWarnShare = 0.5;
/** Bound on one probe of a callback URL. */
const callbackTimeoutMsDefault = 10_000;
/** Bytes of a callback's answer quoted in a report. */
const answerExcerptChars = 200;

const help = `Usage: ${programName} doctor [--config FILE] [--notify-url URL] [--confirm-url URL]
       [--callback-wallet-key FILE] [--time-window-ms MS] [service options]

Checks a merchant integration one step at a time and says how to fix what is wrong:
  service    the service answers at baseUrl
  keys       a round trip through the service (getCoinList): the service opens our request
             (privateKey pairs with the merchant public key registered for appId) and we open
             its answer (walletPublicKey is the service's key for this merchant)
  clock      this machine's clock against the service's (HTTP Date), within the time window
  confirm    --confirm-url answers a signed test withdrawal confirmation with an envelope
             that echoes its check_sum (sealed with privateKey)
  notify     --notify-url acknowledges a signed test deposit notification (status 0, amount 0)
             with SUCCESS

The callback checks sign their test requests with --callback-wallet-key: a wallet private key
of your own making (e.g. 'openwaas-sdk keygen --name test-wallet') that the app under test is
configured to trust in development, as with the SDK's testing helpers. The service's real
wallet key never leaves it, so an app that trusts only the real key refuses the probes — which
is also why pointing doctor at a production app changes nothing there. Without the key the
callback checks are skipped (and say so). doctor itself only reads from the service.

Options:
  --notify-url URL            the app's notification URL to probe
  --confirm-url URL           the app's second-confirmation URL to probe
  --callback-wallet-key FILE  wallet private key the app under test trusts (PEM or DER file)
  --time-window-ms MS         the service's time window (default ${timeWindowMsDefault}, OPENWAAS_TIME_WINDOW_MS)
  --config FILE, --base-url, --app-id, --private-key, --wallet-public-key, --timeout-ms
                              as for '${programName} call' (see 'call --help')

Exit status: 0 when every check that ran passed; 1 when one failed; 2 wrong usage.
`;

type Outcome = 'ok' | 'warn' | 'fail' | 'skip';

interface Check {
  name: string;
  outcome: Outcome;
  detail: string;
  /** How to fix it, for a failure or a warning. */
  fix?: string;
}

const marks: Record<Outcome, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

function describe(error: unknown): string {
  if (error instanceof WaasTransportError || error instanceof WaasTimeoutError) {
    const details = (error as { details?: unknown }).details;
    return `${error.message}${typeof details === 'string' && details !== '' ? ` (${details})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Fetch with a deadline; resolves to the answer, or rejects with why it did not come. */
async function fetchWithin(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
}

async function checkService(config: CallConfig, timeoutMs: number): Promise<{ check: Check; serverDateMs: number | undefined; localMs: number }> {
  const started = Date.now();
  try {
    const answer = await fetchWithin(new URL('/api/v2/user/getCoinList', config.baseUrl).href, { method: 'GET' }, timeoutMs);
    const localMs = Math.round((started + Date.now()) / 2);
    await answer.arrayBuffer().catch(() => undefined);
    const date = answer.headers.get('date');
    const serverDateMs = date ? Date.parse(date) : Number.NaN;
    return {
      check: { name: 'service', outcome: 'ok', detail: `${config.baseUrl} answers (HTTP ${answer.status})` },
      serverDateMs: Number.isFinite(serverDateMs) ? serverDateMs : undefined,
      localMs,
    };
  } catch (error) {
    return {
      check: {
        name: 'service',
        outcome: 'fail',
        detail: `${config.baseUrl} does not answer: ${describe(error)}${(error as { cause?: { code?: string } }).cause?.code ? ` (${(error as { cause: { code: string } }).cause.code})` : ''}`,
        fix: `is the service running there? Check baseUrl (${config.origin.baseUrl ?? 'baseUrl'}); for the sandbox it is the "wallet service" URL of its banner and of waas.json`,
      },
      serverDateMs: undefined,
      localMs: started,
    };
  }
}

async function checkKeys(config: CallConfig): Promise<{ check: Check; timeWindowMs?: number; clockRefused?: boolean }> {
  const client = new WaasClient({ baseUrl: config.baseUrl, appId: config.appId, privateKey: config.privateKey, walletPublicKey: config.walletPublicKey, timeoutMs: config.timeoutMs });
  try {
    const coins = await client.call('getCoinList', {} as never);
    return { check: { name: 'keys', outcome: 'ok', detail: `getCoinList answered through the envelope (${Array.isArray(coins) ? coins.length : 0} coins): the keys pair up` } };
  } catch (error) {
    if (error instanceof WaasError) {
      const window = /window of ±(\d+) ms/.exec(error.msg);
      if (error.code === '100004' && window) {
        return {
          check: { name: 'keys', outcome: 'fail', detail: `the service refused the request's time: ${error.msg}`, fix: 'set this machine\'s clock right (NTP); see the clock check' },
          timeWindowMs: Number(window[1]),
          clockRefused: true,
        };
      }
      const fixes: Record<string, string> = {
        '100015': `the service knows no merchant with app_id "${config.appId}": check appId (${config.origin.appId ?? 'appId'}); the sandbox writes it to waas.json`,
        '100005': `the service could not open our request: privateKey (${config.origin.privateKey ?? 'privateKey'}) is not the pair of the merchant public key registered for app_id ${config.appId}; register its public half (openwaas-sdk keygen prints it) or use the matching private key`,
        '100016': `the merchant ${config.appId} is disabled on the service: ask the operator to enable it`,
        '100007': 'this machine\'s IP address is not on the merchant\'s allowlist: ask the operator to add it',
      };
      return { check: { name: 'keys', outcome: 'fail', detail: `the service answered error ${error.code}: ${error.msg}`, fix: fixes[error.code] ?? 'see the code in the API reference (docs/api.md, error codes)' } };
    }
    if (error instanceof EnvelopeError) {
      return {
        check: {
          name: 'keys',
          outcome: 'fail',
          detail: `the service's answer does not open with walletPublicKey: ${error.message}`,
          fix: `walletPublicKey (${config.origin.walletPublicKey ?? 'walletPublicKey'}) is not the service's public key for app_id ${config.appId}: use the one the operator gave you (the sandbox writes wallet-public.pem)`,
        },
      };
    }
    return { check: { name: 'keys', outcome: 'fail', detail: `the round trip failed: ${describe(error)}`, fix: 'see the service check' } };
  }
}

function checkClock(serverDateMs: number | undefined, localMs: number, windowMs: number, clockRefused: boolean): Check {
  if (serverDateMs === undefined) {
    if (clockRefused) return { name: 'clock', outcome: 'fail', detail: 'the service refused our request time', fix: "set this machine's clock right (NTP)" };
    return { name: 'clock', outcome: 'skip', detail: 'the service sent no Date header to compare with' };
  }
  // The Date header has whole seconds: up to a second of the difference is its rounding.
  const skewMs = localMs - serverDateMs;
  const apparent = Math.max(0, Math.abs(skewMs) - 1_000);
  const text = `this clock is ${Math.abs(Math.round(skewMs / 1000))} s ${skewMs >= 0 ? 'ahead of' : 'behind'} the service's (window ±${windowMs / 1000} s)`;
  if (clockRefused && apparent <= windowMs) {
    return { name: 'clock', outcome: 'fail', detail: `the service refused our request time, though by its HTTP Date ${text}`, fix: "set this machine's clock right (NTP); if it is right, the service's clock is off: tell its operator" };
  }
  if (clockRefused || apparent > windowMs) return { name: 'clock', outcome: 'fail', detail: text, fix: "set this machine's clock right (NTP): requests outside the window are refused with 100004" };
  if (apparent > windowMs * skewWarnShare) return { name: 'clock', outcome: 'warn', detail: text, fix: "a little more drift and requests are refused: keep the clock synchronised (NTP)" };
  return { name: 'clock', outcome: 'ok', detail: text };
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > answerExcerptChars ? `${flat.slice(0, answerExcerptChars)}…` : flat || '(empty)';
}

async function post(url: string, body: string, timeoutMs: number): Promise<{ status: number; text: string } | { error: string }> {
  try {
    const answer = await fetchWithin(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, timeoutMs);
    return { status: answer.status, text: await answer.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const timedOut = (error as Error).name === 'TimeoutError';
    return { error: timedOut ? `no answer within ${timeoutMs} ms` : `${(error as Error).message}${cause ? ` (${cause})` : ''}` };
  }
}

/** The acknowledgement rule of the service: SUCCESS in any case with whitespace around, or JSON whose code is 0. */
export function isAcknowledgement(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed.toUpperCase() === 'SUCCESS') return true;
  if (!trimmed.startsWith('{')) return false;
  try {
    const json = JSON.parse(trimmed) as { code?: unknown };
    return json !== null && (json.code === 0 || json.code === '0');
  } catch {
    return false;
  }
}

async function checkConfirm(url: string, config: CallConfig, walletKey: ReturnType<typeof parsePrivateKey>, timeoutMs: number): Promise<Check> {
  const merchantPublicKey = createPublicKey(parsePrivateKey(config.privateKey, 'privateKey'));
  const { body, checkSum } = createTestConfirmationRequest({
    walletPrivateKey: walletKey,
    appId: config.appId,
    request: { request_id: `doctor-${randomBytes(6).toString('hex')}`, from_uid: '1', to_address: '0x000000000000000000000000000000000000dEaD', amount: '0', symbol: 'ETH' },
  });
  const answer = await post(url, body, timeoutMs);
  if ('error' in answer) return { name: 'confirm', outcome: 'fail', detail: `${url} did not answer: ${answer.error}`, fix: 'is the app running and listening at that URL?' };
  const reply = readConfirmationReply(answer.text, merchantPublicKey, checkSum);
  if (answer.status === 200 && reply.confirmed) return { name: 'confirm', outcome: 'ok', detail: `${url} confirmed the test withdrawal (check_sum echoed, sealed with privateKey)` };
  const why =
    answer.status !== 200
      ? `answered HTTP ${answer.status}`
      : reply.payload !== undefined
        ? 'answered an envelope without the request\'s check_sum (it refused, or echoed the wrong value)'
        : `answered something that does not open with privateKey's public half: ${excerpt(answer.text)}`;
  return {
    name: 'confirm',
    outcome: 'fail',
    detail: `${url} ${why}`,
    fix: 'the app must answer HTTP 200 with an envelope sealed with the merchant private key that echoes check_sum (createConfirmationResponder does it); check that it trusts --callback-wallet-key in development and that its approve callback returns true',
  };
}

async function checkNotify(url: string, config: CallConfig, walletKey: ReturnType<typeof parsePrivateKey>, timeoutMs: number): Promise<Check> {
  const body = createTestNotification({
    walletPrivateKey: walletKey,
    appId: config.appId,
    notification: {
      side: 'deposit',
      notify_id: `doctor-${randomBytes(6).toString('hex')}`,
      id: '0',
      uid: '0',
      symbol: 'ETH',
      amount: '0',
      address_to: '',
      created_at: String(Date.now()),
      updated_at: String(Date.now()),
      txid: '',
      confirmations: '0',
      status: '0',
    },
  });
  const answer = await post(url, body, timeoutMs);
  if ('error' in answer) return { name: 'notify', outcome: 'fail', detail: `${url} did not answer: ${answer.error}`, fix: 'is the app running and listening at that URL?' };
  if (answer.status === 200 && isAcknowledgement(answer.text)) return { name: 'notify', outcome: 'ok', detail: `${url} acknowledged the test notification (${excerpt(answer.text)})` };
  return {
    name: 'notify',
    outcome: 'fail',
    detail: `${url} answered HTTP ${answer.status}: ${excerpt(answer.text)}`,
    fix: 'the app must answer HTTP 200 with SUCCESS once it has processed a notification (createNotificationHandler does it); anything else makes the service retry and finally mark it failed. Check that it trusts --callback-wallet-key in development',
  };
}

function checkUrl(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new UsageError(`${flag} must be an http(s) URL, not "${value}"`, 'doctor');
  return value;
}

async function run(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs('doctor', argv, {
    ...serviceOptions,
    'notify-url': { type: 'string' },
    'confirm-url': { type: 'string' },
    'callback-wallet-key': { type: 'string' },
    'time-window-ms': { type: 'string' },
  });
  if (parsed.help) {
    io.stdout.write(help);
    return 0;
  }
  const config = serviceConfigOf(parsed.values, io, 'doctor', programName);
  const notifyUrl = checkUrl(stringValue(parsed, 'notify-url'), '--notify-url');
  const confirmUrl = checkUrl(stringValue(parsed, 'confirm-url'), '--confirm-url');
  const windowText = stringValue(parsed, 'time-window-ms') ?? io.env['OPENWAAS_TIME_WINDOW_MS'];
  let windowMs = windowText === undefined ? timeWindowMsDefault : parseWholeNumber(windowText, '--time-window-ms', { min: 1, max: 2 ** 31 - 1 }, 'doctor');
  const keyPath = stringValue(parsed, 'callback-wallet-key');
  const walletKey = keyPath === undefined ? undefined : parsePrivateKey(readKeyFile(resolve(io.cwd, keyPath), '--callback-wallet-key', 'doctor'), '--callback-wallet-key');
  const timeoutMs = config.timeoutMs ?? callbackTimeoutMsDefault;

  const checks: Check[] = [];
  const say = (check: Check) => {
    checks.push(check);
    io.stdout.write(`${marks[check.outcome]}  ${check.name.padEnd(8)} ${check.detail}\n`);
    if (check.fix && (check.outcome === 'fail' || check.outcome === 'warn')) io.stdout.write(`      ${''.padEnd(8)} fix: ${check.fix}\n`);
  };

  const service = await checkService(config, timeoutMs);
  say(service.check);
  if (service.check.outcome === 'fail') {
    say({ name: 'keys', outcome: 'skip', detail: 'the service does not answer' });
    say({ name: 'clock', outcome: 'skip', detail: 'the service does not answer' });
  } else {
    const keys = await checkKeys(config);
    say(keys.check);
    if (keys.timeWindowMs !== undefined) windowMs = keys.timeWindowMs;
    say(checkClock(service.serverDateMs, service.localMs, windowMs, keys.clockRefused === true));
  }
  const callbacks: Array<[string, string | undefined, (url: string, key: NonNullable<typeof walletKey>) => Promise<Check>]> = [
    ['confirm', confirmUrl, (url, key) => checkConfirm(url, config, key, timeoutMs)],
    ['notify', notifyUrl, (url, key) => checkNotify(url, config, key, timeoutMs)],
  ];
  for (const [name, url, probe] of callbacks) {
    if (url === undefined) say({ name, outcome: 'skip', detail: `no --${name}-url given` });
    else if (walletKey === undefined) say({ name, outcome: 'skip', detail: `--callback-wallet-key not given: the test ${name === 'confirm' ? 'confirmation' : 'notification'} needs a wallet key the app trusts` });
    else say(await probe(url, walletKey));
  }
  const failed = checks.filter((c) => c.outcome === 'fail').length;
  io.stdout.write(failed === 0 ? `\nall checks that ran passed\n` : `\n${failed} check${failed === 1 ? '' : 's'} failed\n`);
  return failed === 0 ? 0 : 1;
}

/** `openwaas-sdk doctor`: checks the service, the keys, the clock and the callback URLs one by one. */
export const doctor: Command = { summary: 'check the service, keys, clock and callback URLs', help, run };
