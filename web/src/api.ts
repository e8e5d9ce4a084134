// The one way the pages talk to the server. Every answer that is not 2xx
// becomes an ApiError carrying the server's {"error":{code,message,field,reason}}
// (and details, when the error lists several problems: a refused BPMN file);
// errors.ts turns it into the page's own words (the English message is a
// detail only). The session cookie is HttpOnly; writes carry the login's CSRF
// token, as the server requires.

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field = '', // the request field it concerns ("text", "password", …)
    public reason = '', // a stable reason within the code ("empty", "too_short", …)
    public details: unknown[] = [], // each problem, when the server lists them
  ) {
    super(message)
  }
}

const CSRF_KEY = 'xt.csrf'

// Kept in localStorage so that every tab of the signed-in browser can write;
// it is useless without the HttpOnly session cookie it belongs to.
export function setCsrf(token: string | null): void {
  if (token) localStorage.setItem(CSRF_KEY, token)
  else localStorage.removeItem(CSRF_KEY)
}

export function hasSession(): boolean {
  return localStorage.getItem(CSRF_KEY) !== null
}

export interface CallOptions {
  ifMatch?: number | string
  idempotencyKey?: string
  raw?: boolean // the body is sent as it is (photos), not as JSON
  contentType?: string
  headers?: Record<string, string> // e.g. the gateway's X-Purpose
  signal?: AbortSignal // aborts the call: it then rejects with the fetch's AbortError, not an ApiError
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = await res.json()
    const e = body?.error
    if (e)
      return new ApiError(
        res.status,
        String(e.code ?? ''),
        String(e.message ?? ''),
        e.field ?? '',
        e.reason ?? '',
        Array.isArray(e.details) ? e.details : [],
      )
  } catch {
    // not JSON: fall through to a plain message
  }
  return new ApiError(res.status, 'http_' + res.status, res.statusText || 'request failed')
}

export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: CallOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
  let payload: BodyInit | undefined
  if (body !== undefined) {
    if (opts.raw) {
      payload = body as BodyInit
      if (opts.contentType) headers['Content-Type'] = opts.contentType
    } else {
      payload = JSON.stringify(body)
      headers['Content-Type'] = 'application/json'
    }
  }
  if (method !== 'GET') {
    const csrf = localStorage.getItem(CSRF_KEY)
    if (csrf) headers['X-CSRF-Token'] = csrf
  }
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey
  let res: Response
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', signal: opts.signal })
  } catch (e) {
    if (opts.signal?.aborted) throw e // the caller stopped it: not a network failure to show
    throw new ApiError(0, 'network', '')
  }
  if (!res.ok) throw await errorOf(res)
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}

export const get = <T>(path: string) => call<T>('GET', path)
export const post = <T>(path: string, body?: unknown, opts?: CallOptions) =>
  call<T>('POST', path, body, opts)

export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v))
  const s = q.toString()
  return s ? '?' + s : ''
}

export function newKey(): string {
  return crypto.randomUUID()
}
