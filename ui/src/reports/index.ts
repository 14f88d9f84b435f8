import Icon from "@mui/icons-material/Assessment";

import { ReportsPage } from "./ReportsPage";

// Not a list of records: the monthly report and its delivery, one page.
export default { list: ReportsPage, icon: Icon, options: { label: "Reports" } };
