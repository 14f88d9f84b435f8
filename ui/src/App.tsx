import { Admin, Resource } from "react-admin";

import alerts, { rules as alertRules } from "./alerts";
import audit from "./audit";
import { authProvider } from "./authProvider";
import conflicts from "./conflicts";
import { Dashboard } from "./dashboard/Dashboard";
import { dataProvider } from "./dataProvider";
import deadLetters from "./deadLetters";
import events from "./events";
import integrations from "./integrations";
import mappings from "./mappings";
import quarantine from "./quarantine";
import rosterPackages from "./rosterPackages";
import runs from "./runs";
import securityFindings from "./securityFindings";
import subscriptions from "./subscriptions";
import webhookDeliveries from "./webhookDeliveries";
import webhookRules from "./webhookRules";
import webhookSources from "./webhookSources";

export const App = () => (
  <Admin title="Atrium" dataProvider={dataProvider} authProvider={authProvider} dashboard={Dashboard} requireAuth disableTelemetry>
    <Resource name="integrations" {...integrations} />
    <Resource name="events" {...events} />
    <Resource name="runs" {...runs} />
    <Resource name="processes" recordRepresentation="name" />
    <Resource name="conflicts" {...conflicts} />
    <Resource name="quarantine" {...quarantine} />
    <Resource name="mappings" {...mappings} />
    <Resource name="roster-packages" {...rosterPackages} />
    <Resource name="webhook-sources" {...webhookSources} />
    <Resource name="webhook-rules" {...webhookRules} />
    <Resource name="webhook-deliveries" {...webhookDeliveries} />
    <Resource name="subscriptions" {...subscriptions} />
    <Resource name="dead-letters" {...deadLetters} />
    <Resource name="audit" {...audit} />
    <Resource name="security-findings" {...securityFindings} />
    <Resource name="alerts" {...alerts} />
    <Resource name="alert-rules" {...alertRules} />
  </Admin>
);
