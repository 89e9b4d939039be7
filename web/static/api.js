// The JSON API, reached under the app's path prefix (body[data-base], set from settings.root_path).
export const base = document.body.dataset.base || "";
// Inside the widget's frame: the host page's origin, so the server counts its per-origin quota.
const host = document.body.dataset.host || "";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/**
 * GET `path`, or POST `body` as JSON when given (or use `method`, e.g. "DELETE"); resolves to the
 * parsed reply, rejects with ApiError.
 */
export async function api(path, body, method) {
  const headers = host ? {"X-Assistant-Host": host} : {};
  const options = body === undefined ? {headers, method: method || "GET"} : {
    method: method || "POST",
    headers: {...headers, "Content-Type": "application/json"},
    body: JSON.stringify(body),
  };
  let response;
  try {
    response = await fetch(base + path, options);
  } catch {
    throw new ApiError("The assistant cannot be reached; check the connection and try again.", 0);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(data.error || `The assistant replied with status ${response.status}.`, response.status);
  }
  return data;
}

// Only same-site paths from the API become links, so a bad value can never be a javascript: URL.
export function siteUrl(path) {
  const safe = typeof path === "string" && path.startsWith("/") && !path.startsWith("//");
  return base + (safe ? path : "/");
}
