// Calls to this node's HTTP API: JSON answers, the server's {error, position, line, column} kept
// on the thrown ApiError, and writes that ask for the token and retry once after a 401.
import { askToken, authHeaders, currentToken } from './token.js';

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

// The body as JSON, or {error: text} when it is not JSON (a proxy's page, an empty 404).
export function parseBody(text, statusText) {
  try {
    return JSON.parse(text);
  } catch {
    return { error: text.trim() || statusText || 'no answer' };
  }
}

export async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  const body = parseBody(await res.text(), res.statusText);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

// Runs `attempt()` (which sends the request with the current token and resolves to
// {status, body}); after a 401 asks for the token and runs it once more.
export async function withToken(attempt) {
  const sent = currentToken();
  let answer = await attempt();
  if (answer.status === 401) {
    await askToken(sent);
    answer = await attempt();
  }
  if (answer.status < 200 || answer.status >= 300) throw new ApiError(answer.status, answer.body);
  return answer.body;
}

// POST or DELETE with the token.
export function send(method, path, body, contentType) {
  return withToken(async () => {
    const headers = { Accept: 'application/json', ...authHeaders() };
    if (contentType) headers['Content-Type'] = contentType;
    const res = await fetch(path, { method, headers, body });
    return { status: res.status, body: parseBody(await res.text(), res.statusText) };
  });
}
