import { Stack, Tab, Tabs } from "@mui/material";
import { Datagrid, DateField, FunctionField, List, SimpleList, TextField, useListContext } from "react-admin";

import { useIsSmall } from "../common/useIsSmall";
import { SeverityChip } from "../securityFindings/SeverityChip";
import { AcknowledgeButton } from "./AcknowledgeButton";
import { SeverityFilter } from "./SeverityFilter";

// Open (nobody has acknowledged it yet) and the history: one tab each.
const TABS = [
  { acknowledged: "false", label: "Open" },
  { acknowledged: "true", label: "Acknowledged" },
];

const AcknowledgedTabs = () => {
  const { filterValues, setFilters, displayedFilters } = useListContext();
  const current = TABS.findIndex((t) => t.acknowledged === String(filterValues.acknowledged));
  return (
    <Tabs value={current < 0 ? 0 : current} variant="fullWidth"
      onChange={(_, i: number) => setFilters({ ...filterValues, acknowledged: TABS[i].acknowledged }, displayedFilters)}>
      {TABS.map((t) => <Tab key={t.acknowledged} label={t.label} />)}
    </Tabs>
  );
};

const response = (r: Record<string, unknown>) =>
  r.response === "none" ? "recorded only" : `${r.response}: ${r.response_detail || "—"}`;

const Events = () => {
  const small = useIsSmall();
  return (
    <>
      <AcknowledgedTabs />
      <SeverityFilter />
      {small ? (
        <SimpleList
          primaryText={(r) => r.summary}
          secondaryText={(r) => `${r.kind} · ${new Date(r.created_at).toLocaleString()} · ${response(r)}`}
          tertiaryText={(r) => (
            <Stack alignItems="flex-end" gap={0.5}>
              <SeverityChip severity={r.severity} />
              <AcknowledgeButton record={r} />
            </Stack>
          )}
          linkType={false}
          sx={{ "& .MuiListItemText-root": { whiteSpace: "normal", overflowWrap: "anywhere" } }}
        />
      ) : (
        <Datagrid bulkActionButtons={false} rowClick={false}>
          <SeverityChip label="Severity" />
          <TextField source="kind" />
          <TextField source="subject" sx={{ wordBreak: "break-word" }} />
          <TextField source="summary" sx={{ wordBreak: "break-word" }} />
          <FunctionField label="Response" render={response} />
          <DateField source="created_at" label="Raised" showTime />
          <TextField source="acknowledged_by" label="Acknowledged by" emptyText="" />
          <AcknowledgeButton />
        </Datagrid>
      )}
    </>
  );
};

export const SecurityEventList = () => (
  <List filterDefaultValues={{ acknowledged: "false" }} sort={{ field: "id", order: "DESC" }} title="Security events" exporter={false}>
    <Events />
  </List>
);
