// How one resource is spoken to. Each resource folder keeps its own `endpoint.ts` built from this,
// so what the console expects of the API is written once per resource.

export type Paging =
  | "offset" // ?offset=&limit= -> {items, total}, or a plain array (then: "is there a next page")
  | "token" // ?page_size=&page_token= -> {items, next_page_token, total?}
  | "none"; // -> a plain JSON array

export interface Endpoint {
  path: string; // e.g. "/api/v1/integrations"
  id: string; // the field that names a record in the URL, used as react-admin's id
  noItemRoute?: boolean; // no GET {path}/{id}: a record is read from the list
  paging: Paging;
  // react-admin filter name -> API query parameter (both the same when omitted from the map)
  filters?: Record<string, string>;
  create?: { fields?: string[] }; // fields a create may send (all when omitted)
  update?: {
    method: "PATCH" | "PUT";
    fields: string[]; // fields an update may send
    whole?: boolean; // PUT-like: send every listed field, not only the changed ones
  };
}

export type ApiRecord = Record<string, unknown> & { id: string | number };
