// Every call to the API goes through here: one place that adds the CSRF header and turns the
// API's error shape {"error": "..."} into react-admin's HttpError (status + message naming the field).
//
// The console's login lives in an HttpOnly cookie that the browser sends by itself and that no
// script (ours, or one injected into the page) can read: nothing about it is kept in storage.
// Changes (POST, PUT, PATCH, DELETE) must carry X-CSRF-Token, copied from the readable
// atrium_csrf cookie, which another site can neither read nor forge (api/auth/authenticate.py).
import { HttpError } from "react-admin";

const CSRF_COOKIE = "atrium_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrfToken(): string | null {
  for (const pair of document.cookie.split(";")) {
    const [name, ...value] = pair.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join("="));
  }
  return null;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: string;
  query?: Query;
  json?: unknown;
  form?: Record<string, string>;
  multipart?: FormData; // the browser sets its Content-Type with the boundary
}

export function withQuery(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function errorMessage(status: number, body: unknown, fallback: string): string {
  if (body && typeof body === "object" && "error" in body) return String((body as { error: unknown }).error);
  if (body && typeof body === "object" && "detail" in body) return JSON.stringify((body as { detail: unknown }).detail);
  if (status === 404) return `${fallback}: not found (this API may not offer it yet)`;
  return `${fallback}: HTTP ${status}`;
}

export async function request<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers = new Headers({ Accept: "application/json" });
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = new URLSearchParams(options.form);
  } else if (options.multipart) {
    body = options.multipart;
  }
  const method = options.method ?? (body ? "POST" : "GET");
  const csrf = csrfToken();
  if (csrf && !SAFE_METHODS.has(method)) headers.set("X-CSRF-Token", csrf);
  const response = await fetch(withQuery(path, options.query), {
    method,
    headers,
    body,
    credentials: "same-origin", // the session cookie, to this origin only
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) {
    throw new HttpError(errorMessage(response.status, parsed, `${method} ${path}`), response.status, parsed);
  }
  return parsed as T;
}

export const isStatus = (error: unknown, status: number): boolean =>
  typeof error === "object" && error !== null && (error as { status?: number }).status === status;
