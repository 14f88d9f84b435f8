import Icon from "@mui/icons-material/MenuBook";

import { ActionList } from "./ActionList";
import { ActionShow } from "./ActionShow";

export default { list: ActionList, show: ActionShow, icon: Icon, recordRepresentation: "name", options: { label: "Actions" } };
