// A react-admin data provider over the API's own shapes: {items, total}, {items, next_page_token}
// (with a `total` when the API can count) or a plain array, described per resource by an `Endpoint`.
import { HttpError, type DataProvider, type GetListParams, type RaRecord } from "react-admin";

import type { ApiRecord, Endpoint } from "./endpoint";
import { request, type Query } from "./http";

interface Page {
  items?: Record<string, unknown>[];
  total?: number;
  next_page_token?: string | null;
}

export const withId = (endpoint: Endpoint, row: Record<string, unknown>): ApiRecord => ({
  ...row,
  id: row[endpoint.id] as string | number,
});

const itemPath = (endpoint: Endpoint, id: unknown) =>
  `${endpoint.path}/${encodeURIComponent(String(id))}`;

function filterQuery(endpoint: Endpoint, filter: Record<string, unknown>): Query {
  const query: Query = {};
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (key === "q" && !endpoint.filters?.q) {
      query.q = String(value);
      continue;
    }
    const param = endpoint.filters?.[key] ?? key;
    if (value !== undefined && value !== null && value !== "") query[param] = String(value);
  }
  return query;
}

// Page tokens seen so far, per list (resource + filter + page size): token of page n = tokens[n].
const pageTokens = new Map<string, (string | null)[]>();

async function tokenPage(endpoint: Endpoint, params: GetListParams, resource: string) {
  const { page, perPage } = params.pagination ?? { page: 1, perPage: 25 };
  const query = filterQuery(endpoint, params.filter);
  const key = `${resource}|${JSON.stringify(query)}|${perPage}`;
  const tokens = pageTokens.get(key) ?? [null, null];
  pageTokens.set(key, tokens);
  // Walk forward from the last page whose token we know (usually only the next one).
  let known = Math.min(page, tokens.length - 1);
  while (known > 1 && tokens[known] === undefined) known -= 1;
  let body: Page = {};
  for (let current = known; current <= page; current += 1) {
    const pageToken = current === 1 ? undefined : tokens[current];
    if (current > 1 && !pageToken) return { data: [], pageInfo: { hasNextPage: false, hasPreviousPage: true } };
    body = await request<Page>(endpoint.path, {
      query: { ...query, page_size: perPage, page_token: pageToken ?? undefined },
    });
    tokens[current + 1] = body.next_page_token ?? null;
  }
  const data = (body.items ?? []).map((row) => withId(endpoint, row));
  // A total counted by the API (Temporal's count for runs) makes the pagination say "1-3 of 3";
  // without one, only "is there a next page" is known, and the pagination says no more.
  if (typeof body.total === "number") return { data, total: body.total };
  return { data, pageInfo: { hasNextPage: Boolean(body.next_page_token), hasPreviousPage: page > 1 } };
}

function sortRows(rows: ApiRecord[], field?: string, order?: string): ApiRecord[] {
  if (!field || field === "id") return rows;
  const sign = order === "DESC" ? -1 : 1;
  return [...rows].sort((a, b) => (String(a[field] ?? "") > String(b[field] ?? "") ? sign : -sign));
}

async function list(endpoint: Endpoint, params: GetListParams, resource: string) {
  if (endpoint.paging === "token") return tokenPage(endpoint, params, resource);
  const { page, perPage } = params.pagination ?? { page: 1, perPage: 25 };
  const query = filterQuery(endpoint, params.filter);
  if (endpoint.paging === "offset") {
    if (params.sort?.field && params.sort.field !== "id") {
      query.sort = params.sort.field;
      query.order = params.sort.order.toLowerCase();
    }
    const body = await request<Page | Record<string, unknown>[]>(endpoint.path, {
      query: { ...query, offset: (page - 1) * perPage, limit: perPage },
    });
    if (Array.isArray(body)) {
      // No total: a full page means there may be more.
      const hasNextPage = body.length >= perPage;
      return { data: body.map((row) => withId(endpoint, row)), pageInfo: { hasNextPage, hasPreviousPage: page > 1 } };
    }
    const items = body.items ?? [];
    return { data: items.map((row) => withId(endpoint, row)), total: body.total ?? items.length };
  }
  // Unpaged: the API answers the whole list; page it here.
  const body = await request<Record<string, unknown>[] | Page>(endpoint.path, { query });
  const rows = (Array.isArray(body) ? body : (body.items ?? [])).map((row) => withId(endpoint, row));
  const sorted = sortRows(rows, params.sort?.field, params.sort?.order);
  return { data: sorted.slice((page - 1) * perPage, page * perPage), total: sorted.length };
}

function pick(data: Record<string, unknown>, fields?: string[]): Record<string, unknown> {
  if (!fields) {
    const { id: _id, ...rest } = data;
    return rest;
  }
  return Object.fromEntries(fields.filter((f) => f in data).map((f) => [f, data[f]]));
}

function changed(data: Record<string, unknown>, previous: Record<string, unknown> | undefined, fields: string[]) {
  return Object.fromEntries(
    fields
      .filter((f) => f in data && JSON.stringify(data[f]) !== JSON.stringify(previous?.[f]))
      .map((f) => [f, data[f]]),
  );
}

export function restDataProvider(endpoints: Record<string, Endpoint>): DataProvider {
  const endpointOf = (resource: string): Endpoint => {
    const endpoint = endpoints[resource];
    if (!endpoint) throw new Error(`no endpoint registered for resource ${resource}`);
    return endpoint;
  };
  const getOne = async (resource: string, id: unknown) => {
    const endpoint = endpointOf(resource);
    if (endpoint.noItemRoute) {
      const all = await list(endpoint, { pagination: { page: 1, perPage: 500 }, sort: { field: "id", order: "ASC" }, filter: {} }, resource);
      const found = all.data.find((row) => String(row.id) === String(id));
      if (!found) throw new HttpError(`${resource} ${String(id)}: not found`, 404);
      return found;
    }
    return withId(endpoint, await request<Record<string, unknown>>(itemPath(endpoint, id)));
  };
  const provider: DataProvider = {
    getList: async (resource, params) => list(endpointOf(resource), params, resource) as never,
    getOne: async (resource, params) => ({ data: (await getOne(resource, params.id)) as never }),
    getMany: async (resource, params) => ({
      data: (await Promise.all(params.ids.map((id) => getOne(resource, id)))) as never,
    }),
    getManyReference: async (resource, params) =>
      list(endpointOf(resource), { ...params, filter: { ...params.filter, [params.target]: params.id } }, resource) as never,
    create: async (resource, params) => {
      const endpoint = endpointOf(resource);
      const row = await request<Record<string, unknown>>(endpoint.path, {
        method: "POST",
        json: pick(params.data, endpoint.create?.fields),
      });
      return { data: withId(endpoint, row) as never };
    },
    update: async (resource, params) => {
      const endpoint = endpointOf(resource);
      const spec = endpoint.update ?? { method: "PATCH" as const, fields: Object.keys(params.data) };
      const json = spec.whole ? pick(params.data, spec.fields) : changed(params.data, params.previousData, spec.fields);
      const row = await request<Record<string, unknown>>(itemPath(endpoint, params.id), { method: spec.method, json });
      return { data: withId(endpoint, row) as never };
    },
    updateMany: async (resource, params) => {
      for (const id of params.ids) await provider.update(resource, { id, data: params.data, previousData: {} as RaRecord });
      return { data: params.ids };
    },
    delete: async (resource, params) => {
      await request(itemPath(endpointOf(resource), params.id), { method: "DELETE" });
      return { data: (params.previousData ?? { id: params.id }) as never };
    },
    deleteMany: async (resource, params) => {
      for (const id of params.ids) await request(itemPath(endpointOf(resource), id), { method: "DELETE" });
      return { data: params.ids };
    },
  };
  return provider;
}
