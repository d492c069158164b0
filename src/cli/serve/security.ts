/**
 * The guards of the preview server, which edits files on the user's disk:
 * - a random token per run, required on every request: given once in the printed address, then
 *   kept in an HttpOnly, SameSite=Strict cookie (another local user, another site open in the same
 *   browser, or a page that rebinds its DNS name to 127.0.0.1 has neither);
 * - the Host header must name this server (a DNS-rebinding page sends its own name);
 * - a request that changes something must come from this server's own origin (Origin header), as
 *   JSON (a cross-site form cannot send that without a CORS preflight, which is never granted);
 * - a strict Content-Security-Policy: scripts, styles, workers and connections from this origin
 *   only, no inline script, no frames.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Host header values that name this server: loopback names, and the `--host` given. */
export function allowedHosts(port: number, host: string): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  names.add(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
  return new Set([...names].map((n) => `${n}:${port}`));
}

const text = (status: number, body: string) =>
  new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

export interface GuardOptions {
  token: string;
  /** Cookie names are per port (browsers share 127.0.0.1's cookies between ports), known once listening. */
  cookie: () => string;
  hosts: () => Set<string>;
}

export function headers(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set('content-security-policy', CSP);
    c.res.headers.set('x-content-type-options', 'nosniff');
    c.res.headers.set('referrer-policy', 'no-referrer');
    c.res.headers.set('x-frame-options', 'DENY');
    c.res.headers.set('cross-origin-opener-policy', 'same-origin');
    c.res.headers.set('cross-origin-resource-policy', 'same-origin');
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  };
}

export function guard(options: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const hosts = options.hosts();
    const host = c.req.header('host') ?? '';
    if (!hosts.has(host.toLowerCase())) return text(421, 'This letterpress server answers only to its own address (wrong Host).');
    const origin = c.req.header('origin');
    const unsafe = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    if (origin !== undefined ? !hosts.has(origin.replace(/^http:\/\//, '').toLowerCase()) || !origin.startsWith('http://') : unsafe) {
      return text(403, 'Refused: the request does not come from the letterpress page (Origin).');
    }
    if (c.req.header('sec-fetch-site') === 'cross-site') return text(403, 'Refused: a request from another site.');
    // The token from the printed address: keep it in the cookie, and take it out of the address bar.
    const query = c.req.query('token');
    if (c.req.method === 'GET' && c.req.path === '/' && query !== undefined) {
      if (!sameToken(query, options.token)) return text(403, 'This address holds an old or wrong token: open the address letterpress serve printed last.');
      setCookie(c, options.cookie(), options.token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      return c.redirect('/', 303);
    }
    if (!sameToken(getCookie(c, options.cookie()), options.token)) {
      return text(403, 'Open the address printed by "letterpress serve" (it holds this session\'s token).');
    }
    if (unsafe && !(c.req.header('content-type') ?? '').startsWith('application/json')) {
      return text(415, 'Send JSON (Content-Type: application/json).');
    }
    await next();
  };
}
