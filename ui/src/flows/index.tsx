import Icon from "@mui/icons-material/Hub";
import { Route } from "react-router-dom";

import { DataFlowPage } from "./DataFlowPage";
import { TracePage } from "./TracePage";

export default {
  list: DataFlowPage,
  icon: Icon,
  options: { label: "Data flow" },
  // One person's or class's lineage: /flows/trace?person=<sourcedId> (or ?class=).
  children: <Route path="trace" element={<TracePage />} />,
};
