import Icon from "@mui/icons-material/AccountTree";
import { Route } from "react-router-dom";

import { DefinitionCreate } from "./DefinitionCreate";
import { DefinitionList } from "./DefinitionList";
import { DefinitionShow } from "./DefinitionShow";
import { DesignedRun } from "./DesignedRun";
import { DesignerEdit } from "./DesignerEdit";

export default {
  list: DefinitionList,
  edit: DesignerEdit,
  show: DefinitionShow,
  create: DefinitionCreate,
  icon: Icon,
  recordRepresentation: "name",
  options: { label: "Designer" },
  // A run's page, reached from a version's runs: /process-definitions/<name>/runs/<workflow id>.
  children: <Route path=":id/runs/:workflowId" element={<DesignedRun />} />,
};
