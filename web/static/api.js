// api.js: the REST client. Every reply is the {code,msg,data} envelope; a
// non-zero code becomes an APIError carrying that code, so views show the
// platform's own code and message. The session is the HttpOnly cookie set by
// login; fetch sends a same-origin Origin header on state-changing requests,
// which the API's cross-origin protection requires.

export const API = '/api/v1';

export class APIError extends Error {
  constructor(code, msg, data, status) {
    super(msg || `error ${code}`);
    this.code = code;
    this.data = data;
    this.status = status;
  }
  toString() { return `code ${this.code}: ${this.message}`; }
}

// onUnauthorized is called when a session has expired (code 107), so the
// shell can return to the login form from any view.
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

async function envelope(res) {
  let env;
  try {
    env = await res.json();
  } catch {
    throw new APIError(101, `HTTP ${res.status}: reply is not JSON`, null, res.status);
  }
  if (env.code !== 0) {
    const err = new APIError(env.code, env.msg, env.data, res.status);
    if (env.code === 107 && res.status === 401) onUnauthorized(err);
    throw err;
  }
  return env.data;
}

// call sends a JSON request and returns the envelope's data.
export async function call(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(API + path, init);
  } catch (e) {
    throw new APIError(6, `platform unreachable: ${e.message}`);
  }
  return envelope(res);
}

// reply is like call but returns the whole envelope even when code != 0:
// a write's reply is the driver's own envelope, shown as it is.
export async function reply(method, path, body) {
  try {
    return { code: 0, msg: '', data: await call(method, path, body) };
  } catch (e) {
    if (e instanceof APIError) return { code: e.code, msg: e.message, data: e.data };
    throw e;
  }
}

export const get = (p) => call('GET', p);
export const post = (p, b) => call('POST', p, b ?? {});
export const put = (p, b) => call('PUT', p, b);
export const del = (p) => call('DELETE', p);

export const enc = encodeURIComponent;

// download fetches a file export and returns it as a Blob. Exports in .tb
// come as the envelope's data; CSV and XLSX come as the raw file.
export async function download(path) {
  const res = await fetch(API + path, { credentials: 'same-origin' });
  const type = res.headers.get('Content-Type') || '';
  if (type.startsWith('application/json')) {
    const data = await envelope(res);
    return new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  }
  if (!res.ok) throw new APIError(101, `HTTP ${res.status}`, null, res.status);
  return res.blob();
}

// upload sends a body with progress reports (fetch has no upload progress),
// resolving to the envelope so callers see 514 problem lists as data.
export function upload(method, path, body, contentType, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, API + path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onload = () => {
      try {
        resolve(JSON.parse(xhr.responseText));
      } catch {
        reject(new APIError(101, `HTTP ${xhr.status}: reply is not JSON`, null, xhr.status));
      }
    };
    xhr.onerror = () => reject(new APIError(6, 'platform unreachable'));
    xhr.send(body);
  });
}
