import Icon from "@mui/icons-material/NotificationsActive";
import RuleIcon from "@mui/icons-material/EditNotifications";

import { AlertList } from "./AlertList";
import { AlertRuleCreate, AlertRuleEdit, AlertRuleList } from "./AlertRuleList";
import { AlertShow } from "./AlertShow";

export default { list: AlertList, show: AlertShow, icon: Icon, options: { label: "Alerts" } };
export const rules = { list: AlertRuleList, create: AlertRuleCreate, edit: AlertRuleEdit, icon: RuleIcon, options: { label: "Alert rules" } };
