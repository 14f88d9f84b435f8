import { Alert, Box } from "@mui/material";
import { List, SelectInput, useListContext } from "react-admin";

import { SYSTEMS } from "../integrations/endpoint";
import { ActionGroups } from "./ActionGroups";
import { EFFECTS, type Action } from "./endpoint";

const filters = [
  <SelectInput key="system" source="system" choices={SYSTEMS.map((s) => ({ id: s, name: s }))} alwaysOn />,
  <SelectInput key="effect" source="effect" choices={EFFECTS.map((e) => ({ id: e, name: e }))} alwaysOn />,
];

const Groups = () => {
  const { data, isPending } = useListContext<Action>();
  if (isPending) return null;
  if (!data?.length) return <Alert severity="info">No action matches.</Alert>;
  return (
    <Box sx={{ p: 1 }}>
      <ActionGroups actions={data} />
    </Box>
  );
};

// The whole catalog, read-only: what Atrium can do to each of a school's systems.
export const ActionList = () => (
  <List filters={filters} perPage={1000} pagination={false} actions={false} sort={{ field: "name", order: "ASC" }}>
    <Groups />
  </List>
);
