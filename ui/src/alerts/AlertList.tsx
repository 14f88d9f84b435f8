import { Tab, Tabs } from "@mui/material";
import { Datagrid, DateField, List, SimpleList, TextField, useListContext } from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { useIsSmall } from "../common/useIsSmall";
import { AcknowledgeButton, ResolveButton } from "./AlertButtons";

// Active (firing), acknowledged, and the history (resolved): one tab each.
const TABS = [
  { status: "firing", label: "Active" },
  { status: "acknowledged", label: "Acknowledged" },
  { status: "resolved", label: "History" },
];

const StatusTabs = () => {
  const { filterValues, setFilters, displayedFilters } = useListContext();
  const current = TABS.findIndex((t) => t.status === filterValues.status);
  return (
    <Tabs value={current < 0 ? 0 : current} variant="fullWidth"
      sx={{ "& .MuiTab-root": { minWidth: 0, px: 0.5, fontSize: { xs: "0.75rem", sm: "0.875rem" } } }}
      onChange={(_, i: number) => setFilters({ ...filterValues, status: TABS[i].status }, displayedFilters)}>
      {TABS.map((t) => <Tab key={t.status} label={t.label} />)}
    </Tabs>
  );
};

const Alerts = () => {
  const small = useIsSmall();
  return (
    <>
      <StatusTabs />
      {small ? (
        <SimpleList
          primaryText={(r) => `${r.rule_name}: ${r.group_key}`}
          secondaryText={(r) => r.summary}
          tertiaryText={(r) => r.status}
          linkType="show"
        />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="rule_name" label="Rule" />
          <TextField source="group_key" label="What" />
          <TextField source="summary" sx={{ wordBreak: "break-word" }} />
          <StatusChip source="status" label="Status" />
          <DateField source="condition_at" label="Since" showTime />
          <DateField source="fired_at" label="Alerted" showTime />
          <DateField source="resolved_at" label="Resolved" showTime />
          <AcknowledgeButton />
          <ResolveButton />
        </Datagrid>
      )}
    </>
  );
};

export const AlertList = () => (
  <List filterDefaultValues={{ status: "firing" }} sort={{ field: "id", order: "DESC" }} title="Alerts" exporter={false}>
    <Alerts />
  </List>
);
