import { DateField, FunctionField, NumberField, Show, SimpleShowLayout, TextField } from "react-admin";

import { JsonBlock } from "../common/JsonBlock";
import { StatusChip } from "../common/StatusChip";

// A package is filed as processed or rejected; until then the page follows it (every 2 s).
const FILED = ["processed", "rejected"];

export const RosterPackageShow = () => (
  <Show
    queryOptions={{
      refetchInterval: (query) => {
        const status = (query.state.data as { status?: string } | undefined)?.status;
        return status && FILED.includes(status) ? false : 2000;
      },
    }}
  >
    <SimpleShowLayout>
      <TextField source="source" label="SIS" />
      <TextField source="name" />
      <TextField source="sha256" label="SHA-256" sx={{ wordBreak: "break-all" }} />
      <TextField source="origin" />
      <TextField source="mode" />
      <StatusChip source="status" label="Status" />
      <NumberField source="size" label="Bytes" />
      <FunctionField label="Records" render={(r) => <JsonBlock value={r.counts} />} />
      <NumberField source="problem_count" label="Problems" />
      <FunctionField
        label="Problems found"
        render={(r) => (
          <ul data-testid="package-problems">
            {(r.problems as string[]).map((p) => <li key={p}>{p}</li>)}
          </ul>
        )}
      />
      <TextField source="received_by" />
      <DateField source="received_at" showTime />
      <DateField source="finished_at" showTime />
    </SimpleShowLayout>
  </Show>
);
