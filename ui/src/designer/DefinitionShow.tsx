import EditIcon from "@mui/icons-material/AccountTree";
import { Box, Typography } from "@mui/material";
import { EditButton, Show, TopToolbar, WithRecord } from "react-admin";

import { useIsSmall } from "../common/useIsSmall";
import type { Definition, DesignedProcess } from "./endpoint";
import { FlowCanvas } from "./FlowCanvas";
import { StepCards } from "./StepCards";
import { VersionHistory } from "./VersionHistory";

const Actions = () => (
  <TopToolbar>
    <EditButton label="Open the designer" icon={<EditIcon />} />
  </TopToolbar>
);

// A designed process at a glance: its draft drawn (view-only), its versions with their runs, and
// a diff between any two versions.
export const DefinitionShow = () => {
  const small = useIsSmall();
  return (
    <Show actions={small ? false : <Actions />} component="div" title="Designed process">
      <WithRecord<DesignedProcess>
        render={(record) => {
          const draft: Definition = { start: "", steps: [], ...(record.draft as Partial<Definition>) };
          return (
          <Box sx={{ p: 1 }}>
            <Typography variant="h6">{record.name}</Typography>
            {record.description && <Typography variant="body2" color="text.secondary">{record.description}</Typography>}
            <Typography variant="subtitle1" sx={{ mt: 2 }}>The draft</Typography>
            <FlowCanvas definition={draft} problems={record.problems} height={small ? 320 : 420} />
            {small && <StepCards definition={draft} problems={record.problems} />}
            <Typography variant="subtitle1" sx={{ mt: 2 }}>Versions</Typography>
            <Box sx={{ overflowX: "auto" }}>
              <VersionHistory name={record.name} />
            </Box>
          </Box>
          );
        }}
      />
    </Show>
  );
};
