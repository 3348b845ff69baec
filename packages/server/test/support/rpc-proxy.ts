import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One JSON-RPC call as the proxy saw it. */
export interface RpcCall {
  method: string;
  params: unknown[];
}

/** A JSON-RPC answer: a result or an error object. */
export interface RpcAnswer {
  result?: unknown;
  error?: { code: number; message: string };
}

/**
 * Rewrites the node's answer to one call: a new answer, 'http-500' (the whole HTTP request
 * fails, batch included), or undefined to pass the node's answer through.
 */
export type RpcFault = (call: RpcCall, answer: RpcAnswer) => RpcAnswer | 'http-500' | undefined;

export interface RpcProxy {
  /** The proxy's JSON-RPC URL (a free loopback port). */
  url: string;
  /** The fault injected from now on; undefined passes everything through. */
  fault: RpcFault | undefined;
  /** Calls whose answer a fault replaced so far. */
  readonly injected: number;
  close(): Promise<void>;
}

/**
 * A JSON-RPC proxy in front of a node (`upstream`, which may start later): forwards every
 * request, single or batch, and lets `fault` replace answers, as a misbehaving node would.
 */
export async function startRpcProxy(upstream: string): Promise<RpcProxy> {
  let injected = 0;
  const proxy: RpcProxy = {
    url: '',
    fault: undefined,
    get injected() {
      return injected;
    },
    close: async () => undefined,
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let upstreamText: string;
    try {
      const answer = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      upstreamText = await answer.text();
    } catch (error) {
      res.writeHead(502).end(String((error as Error).message));
      return;
    }
    const fault = proxy.fault;
    if (!fault) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(upstreamText);
      return;
    }
    const calls = JSON.parse(body) as (RpcCall & { id: unknown }) | Array<RpcCall & { id: unknown }>;
    const answers = JSON.parse(upstreamText) as (RpcAnswer & { id: unknown }) | Array<RpcAnswer & { id: unknown }>;
    const callList = Array.isArray(calls) ? calls : [calls];
    const answerList = Array.isArray(answers) ? answers : [answers];
    const byId = new Map(callList.map((c) => [JSON.stringify(c.id), c]));
    const out: Array<RpcAnswer & { id: unknown }> = [];
    for (const answer of answerList) {
      const call = byId.get(JSON.stringify(answer.id));
      const replaced = call ? fault({ method: call.method, params: call.params ?? [] }, answer) : undefined;
      if (replaced === 'http-500') {
        injected++;
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
        return;
      }
      if (replaced) injected++;
      out.push(replaced ? { jsonrpc: '2.0', id: answer.id, ...replaced } as RpcAnswer & { id: unknown } : answer);
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array.isArray(answers) ? out : out[0]));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String((error as Error).message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** debug_traceBlockByNumber answers every transaction with an error entry and no result (anvil after --load-state; geth when tracing fails). */
export const traceEntryErrors: RpcFault = (call, answer) => {
  if (call.method !== 'debug_traceBlockByNumber' || !Array.isArray(answer.result)) return undefined;
  return { result: (answer.result as Array<{ txHash?: string }>).map((e) => ({ txHash: e.txHash, error: 'Resource not found' })) };
};

/** `method` answers a JSON-RPC error object. */
export const rpcError =
  (method: string, message: string, code = -32000): RpcFault =>
  (call) =>
    call.method === method ? { error: { code, message } } : undefined;

/** `method` answers null (a block the node does not have, a receipt it does not know). */
export const nullResult =
  (method: string): RpcFault =>
  (call) =>
    call.method === method ? { result: null } : undefined;

/** Any HTTP request carrying a `method` call fails with HTTP 500. */
export const http500 =
  (method: string): RpcFault =>
  (call) =>
    call.method === method ? 'http-500' : undefined;

/** Every fault in turn; the first that answers wins. */
export const allOf =
  (...faults: RpcFault[]): RpcFault =>
  (call, answer) => {
    for (const f of faults) {
      const replaced = f(call, answer);
      if (replaced) return replaced;
    }
    return undefined;
  };

/** `fault` for its first `n` injections only: a node that misbehaves for a while. */
export function firstTimes(n: number, fault: RpcFault): RpcFault {
  let left = n;
  return (call, answer) => {
    if (left <= 0) return undefined;
    const replaced = fault(call, answer);
    if (replaced) left--;
    return replaced;
  };
}
