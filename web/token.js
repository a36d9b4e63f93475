// The API token: kept in sessionStorage, sent as "Authorization: Bearer" on writes, and asked for
// through the page's own form (not window.prompt, so tests can fill it) when the node answers
// 401. Concurrent callers that meet a 401 share one question.
const kKey = 'p2plake.token';
let pending = null;  // the question being asked, if any

export function currentToken() {
  return sessionStorage.getItem(kKey) || '';
}

// The headers a write carries: the bearer token when there is one.
export function authHeaders() {
  const token = currentToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// Called after a 401 to a request sent with `rejected` (the token then, maybe ''). Resolves once
// a new token is stored; rejects if the user cancels.
export function askToken(rejected) {
  const token = currentToken();
  if (token && token !== rejected) return Promise.resolve();  // another caller already asked
  if (pending) return pending;
  if (token) sessionStorage.removeItem(kKey);
  const overlay = document.getElementById('token-overlay');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  const cancel = document.getElementById('token-cancel');
  pending = new Promise((resolve, reject) => {
    const finish = (ok) => {
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
      overlay.hidden = true;
      input.value = '';
      pending = null;
      ok ? resolve() : reject(new Error('this node needs an API token'));
    };
    const onSubmit = (event) => {
      event.preventDefault();
      sessionStorage.setItem(kKey, input.value.trim());
      finish(true);
    };
    const onCancel = () => finish(false);
    form.addEventListener('submit', onSubmit);
    cancel.addEventListener('click', onCancel);
    overlay.hidden = false;
    input.focus();
  });
  return pending;
}
