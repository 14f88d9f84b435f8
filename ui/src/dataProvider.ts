// The data provider: the generic REST one over every resource's endpoint, wrapped with the
// console's own calls (rotate a secret, start a run, resolve a conflict, ...). Each resource keeps
// what it expects of the API in its own `endpoint.ts`.
import type { DataProvider } from "react-admin";

import { endpoint as actionCatalog } from "./actions/endpoint";
import { alertActions, endpoint as alerts, rulesEndpoint as alertRules } from "./alerts/endpoint";
import { auditActions, endpoint as audit } from "./audit/endpoint";
import { conflictActions, endpoint as conflicts } from "./conflicts/endpoint";
import { dashboardActions } from "./dashboard/endpoint";
import { deadLetterActions, endpoint as deadLetters } from "./deadLetters/endpoint";
import { endpoint as processDefinitions } from "./designer/endpoint";
import type { Endpoint } from "./endpoint";
import { endpoint as integrations, integrationActions } from "./integrations/endpoint";
import { endpoint as mappings, mappingActions } from "./mappings/endpoint";
import { endpoint as processes } from "./processes/endpoint";
import { endpoint as quarantine, quarantineActions } from "./quarantine/endpoint";
import { restDataProvider } from "./rest";
import { endpoint as rosterPackages } from "./rosterPackages/endpoint";
import { endpoint as securityEvents, securityEventActions } from "./securityEvents/endpoint";
import { endpoint as runs, runActions } from "./runs/endpoint";
import { endpoint as slas, slaCalls } from "./slas/endpoint";
import { endpoint as subscriptions, subscriptionActions } from "./subscriptions/endpoint";
import { endpoint as webhookDeliveries } from "./webhookDeliveries/endpoint";
import { endpoint as webhookRules } from "./webhookRules/endpoint";
import { endpoint as webhookSources, webhookSourceActions } from "./webhookSources/endpoint";

export const ENDPOINTS: Record<string, Endpoint> = {
  integrations,
  runs,
  processes,
  actions: actionCatalog,
  "process-definitions": processDefinitions,
  conflicts,
  quarantine,
  mappings,
  "roster-packages": rosterPackages,
  "webhook-sources": webhookSources,
  "webhook-rules": webhookRules,
  "webhook-deliveries": webhookDeliveries,
  subscriptions,
  "dead-letters": deadLetters,
  audit,
  alerts,
  "alert-rules": alertRules,
  slas,
  "security-events": securityEvents,
};

const actions = {
  ...integrationActions,
  ...runActions,
  ...conflictActions,
  ...quarantineActions,
  ...mappingActions,
  ...deadLetterActions,
  ...auditActions,
  ...webhookSourceActions,
  ...subscriptionActions,
  ...dashboardActions,
  ...alertActions,
  ...slaCalls,
  ...securityEventActions,
};

export type AtriumDataProvider = DataProvider & typeof actions;

export const dataProvider: AtriumDataProvider = { ...restDataProvider(ENDPOINTS), ...actions };
