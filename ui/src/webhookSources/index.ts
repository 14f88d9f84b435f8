import Icon from "@mui/icons-material/Webhook";

import { SourceCreate } from "./SourceCreate";
import { SourceEdit } from "./SourceEdit";
import { SourceList } from "./SourceList";

export default { list: SourceList, edit: SourceEdit, create: SourceCreate, icon: Icon, options: { label: "Webhook sources" } };
