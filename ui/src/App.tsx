import { Admin, CustomRoutes, Resource } from "react-admin";
import { Route } from "react-router-dom";

import actions from "./actions";
import alerts, { rules as alertRules } from "./alerts";
import approvals from "./approvals";
import audit from "./audit";
import { authProvider } from "./authProvider";
import capacity from "./capacity";
import conflicts from "./conflicts";
import { Dashboard } from "./dashboard/Dashboard";
import { dataProvider } from "./dataProvider";
import deadLetters from "./deadLetters";
import designer from "./designer";
import events from "./events";
import flows from "./flows";
import integrations from "./integrations";
import mappings from "./mappings";
import quarantine from "./quarantine";
import reports from "./reports";
import rosterPackages from "./rosterPackages";
import runs from "./runs";
import securityEvents from "./securityEvents";
import { AtriumLayout, ENROLMENT_ROUTE, EnrolmentPage, LoginPage } from "./secondFactor";
import securityFindings from "./securityFindings";
import slas from "./slas";
import subscriptions from "./subscriptions";
import webhookDeliveries from "./webhookDeliveries";
import webhookRules from "./webhookRules";
import webhookSources from "./webhookSources";

export const App = () => (
  <Admin title="Atrium" dataProvider={dataProvider} authProvider={authProvider} dashboard={Dashboard} loginPage={LoginPage} layout={AtriumLayout} requireAuth disableTelemetry>
    <Resource name="integrations" {...integrations} />
    <Resource name="events" {...events} />
    <Resource name="runs" {...runs} />
    <Resource name="processes" recordRepresentation="name" />
    <Resource name="actions" {...actions} />
    <Resource name="process-definitions" {...designer} />
    <Resource name="approvals" {...approvals} />
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
    <Resource name="security-events" {...securityEvents} />
    <Resource name="alerts" {...alerts} />
    <Resource name="alert-rules" {...alertRules} />
    <Resource name="slas" {...slas} />
    <Resource name="flows" {...flows} />
    <Resource name="capacity" {...capacity} />
    <Resource name="reports" {...reports} />
    <CustomRoutes>
      <Route path={ENROLMENT_ROUTE} element={<EnrolmentPage />} />
    </CustomRoutes>
  </Admin>
);
