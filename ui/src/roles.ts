// What each role may do in the console. The API enforces the same matrix (api/auth/rbac.py); the
// console only hides what a role lacks. When /api/v1/auth/me lists the caller's `permissions`, those
// win over this copy, so a change to the API's matrix needs no console release.

const READS = [
  "profile:read", "processes:read", "runs:read", "integrations:read", "secrets:read", "audit:read",
  "metrics:read", "events:read", "conflicts:read", "mappings:read", "quarantine:read", "security:read", "alerts:read",
  "designs:read",
];

export const ROLE_PERMISSIONS: Record<string, string[]> = {
  administrator: [
    ...READS, "runs:start", "runs:cancel", "runs:signal", "integrations:write", "secrets:write",
    "users:manage", "api_keys:manage", "webhooks:manage", "subscriptions:manage",
    "conflicts:resolve", "mappings:write", "quarantine:retry", "alerts:manage", "designs:write",
    "designs:approve", "security:manage",
  ],
  process_designer: [
    "profile:read", "processes:read", "runs:read", "runs:start", "runs:cancel", "runs:signal",
    "integrations:read", "integrations:write", "secrets:read", "webhooks:manage",
    "subscriptions:manage", "events:read", "conflicts:read", "mappings:read", "mappings:write",
    "quarantine:read", "quarantine:retry", "alerts:read", "alerts:manage", "designs:read",
    "designs:write",
  ],
  secretary: [
    "profile:read", "processes:read", "runs:read", "runs:start", "runs:signal", "integrations:read",
    "events:read", "conflicts:read", "conflicts:resolve", "mappings:read", "quarantine:read",
    "quarantine:retry",
  ],
  leader: [
    "profile:read", "processes:read", "runs:read", "integrations:read", "events:read",
    "conflicts:read", "mappings:read", "quarantine:read", "audit:read", "alerts:read",
  ],
  professor: ["profile:read", "processes:read", "runs:read"],
  student: ["profile:read", "runs:read"],
  auditor: READS,
};

// react-admin asks canAccess({resource, action}); this says which API permission that needs.
// Actions other than list/show/create/edit/delete are the console's own buttons.
type Rule = { read: string; write?: string } & Record<string, string | undefined>;

const RULES: Record<string, Rule> = {
  integrations: { read: "integrations:read", write: "integrations:write", secret: "secrets:write", "health-check": "runs:start" },
  runs: { read: "runs:read", create: "runs:start", cancel: "runs:cancel", retry: "runs:start" },
  processes: { read: "processes:read" },
  actions: { read: "processes:read" }, // the catalog: what each system offers
  "process-definitions": { read: "designs:read", write: "designs:write", create: "designs:write" },
  approvals: { read: "runs:signal" }, // approval steps of designed runs waiting for the caller
  conflicts: { read: "conflicts:read", write: "conflicts:resolve", resolve: "conflicts:resolve" },
  quarantine: { read: "quarantine:read", write: "quarantine:retry", retry: "quarantine:retry" },
  mappings: { read: "mappings:read", write: "mappings:write", "dry-run": "mappings:read" },
  "roster-packages": { read: "integrations:read", create: "runs:start" },
  "webhook-sources": { read: "webhooks:manage", write: "webhooks:manage" },
  "webhook-rules": { read: "webhooks:manage", write: "webhooks:manage" },
  "webhook-deliveries": { read: "webhooks:manage" },
  subscriptions: { read: "subscriptions:manage", write: "subscriptions:manage" },
  "dead-letters": { read: "subscriptions:manage", redeliver: "subscriptions:manage" },
  audit: { read: "audit:read", verify: "audit:read" },
  "security-findings": { read: "security:read" },
  "security-events": { read: "security:read", acknowledge: "security:manage" },
  events: { read: "events:read" }, // the live stream
  alerts: { read: "alerts:read", acknowledge: "alerts:manage", resolve: "alerts:manage" },
  "alert-rules": { read: "alerts:read", write: "alerts:manage" },
  slas: { read: "alerts:read", write: "alerts:manage", evaluate: "alerts:manage" },
  flows: { read: "runs:read" }, // the data-flow graph and lineage (the API refuses it to self-scoped roles)
  capacity: { read: "metrics:read" }, // capacity advice
  reports: { read: "alerts:read", write: "alerts:manage" }, // the monthly report; its delivery
};

export function permissionFor(resource: string, action: string): string | undefined {
  const rule = RULES[resource];
  if (!rule) return undefined;
  if (rule[action]) return rule[action];
  if (action === "list" || action === "show" || action === "export") return rule.read;
  if (action === "create" || action === "edit" || action === "delete") return rule.write;
  return undefined;
}

export function can(permissions: string[], resource: string, action: string): boolean {
  const needed = permissionFor(resource, action);
  return needed !== undefined && permissions.includes(needed);
}
