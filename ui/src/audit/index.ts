import Icon from "@mui/icons-material/FactCheck";

import { AuditList } from "./AuditList";

export default { list: AuditList, icon: Icon, options: { label: "Audit log" } };
