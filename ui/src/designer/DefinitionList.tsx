import { Chip } from "@mui/material";
import { CreateButton, Datagrid, DateField, FunctionField, List, SimpleList, TextField, TopToolbar } from "react-admin";

import { useIsSmall } from "../common/useIsSmall";
import type { DesignedProcess } from "./endpoint";

const ProblemChip = ({ record }: { record: DesignedProcess }) =>
  record.problems.length === 0 ? (
    <Chip size="small" color="success" label="ready" />
  ) : (
    <Chip size="small" color="warning" label={`${record.problems.length} problem${record.problems.length === 1 ? "" : "s"}`} />
  );

// Designed processes: their draft's state and their latest published version.
export const DefinitionList = () => {
  const small = useIsSmall();
  return (
    <List actions={<TopToolbar><CreateButton /></TopToolbar>} sort={{ field: "name", order: "ASC" }} title="Designed processes">
      {small ? (
        <SimpleList<DesignedProcess>
          primaryText={(r) => r.name}
          secondaryText={(r) => `${r.latest_version ? `v${r.latest_version}` : "draft only"} · ${r.problems.length} problems`}
          linkType="show"
        />
      ) : (
        <Datagrid rowClick="edit" bulkActionButtons={false}>
          <TextField source="name" />
          <TextField source="description" />
          <FunctionField<DesignedProcess> label="Latest version" render={(r) => (r.latest_version ? `v${r.latest_version}` : "draft only")} />
          <FunctionField<DesignedProcess> label="Draft" render={(r) => <ProblemChip record={r} />} />
          <TextField source="updated_by" label="Edited by" />
          <DateField source="updated_at" label="Edited" showTime />
        </Datagrid>
      )}
    </List>
  );
};
