import Icon from "@mui/icons-material/Rule";

import { RuleCreate } from "./RuleCreate";
import { RuleEdit } from "./RuleEdit";
import { RuleList } from "./RuleList";

export default { list: RuleList, edit: RuleEdit, create: RuleCreate, icon: Icon, options: { label: "Webhook rules" } };
