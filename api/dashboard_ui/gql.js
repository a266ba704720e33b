// GraphQL over fetch() with the bearer token kept in sessionStorage.

const TOKEN_KEY = "regtrace.token";
const ENDPOINT = new URL("../graphql", document.baseURI).href;

export class AuthError extends Error {}

export class ApiError extends Error {
  constructor(message, errors = []) {
    super(message);
    this.errors = errors;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** The `data` of a query; AuthError on 401, ApiError when the answer has errors (unless `partial`, which
 * takes what data there is). */
export async function gql(query, variables = {}, { partial = false } = {}) {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token() || ""}` },
    body: JSON.stringify({ query, variables }),
    cache: "no-store",
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`);
  }
  if (response.status === 401) throw new AuthError(body.errors?.[0]?.message || "unauthenticated");
  if (body.errors?.length && !(partial && body.data)) throw new ApiError(body.errors.map((e) => e.message).join("; "), body.errors);
  return body.data;
}

/** Every node of a connection field, following pageInfo.endCursor (the query takes $after). */
export async function allPages(query, variables, field, pageLimit = 100) {
  const nodes = [];
  let after = null;
  for (let i = 0; i < pageLimit; i += 1) {
    const data = await gql(query, { ...variables, after });
    const connection = data[field];
    nodes.push(...(connection.nodes || connection.edges.map((e) => e.node)));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return nodes;
}

/** A file from the server (a path below the app's root, e.g. export/report.pdf?asOf=…) as a Blob, with the
 * bearer token; AuthError on 401, ApiError with the server's message otherwise. */
export async function fetchFile(path) {
  const response = await fetch(new URL(`../${path}`, document.baseURI).href, {
    headers: { Authorization: `Bearer ${token() || ""}` },
    cache: "no-store",
  });
  if (response.ok) return response.blob();
  let message = `HTTP ${response.status}`;
  try {
    const body = await response.json();
    message = body.errors?.map((e) => e.message).join("; ") || message;
  } catch {
    // not JSON: keep the status
  }
  if (response.status === 401) throw new AuthError(message);
  throw new ApiError(message);
}
