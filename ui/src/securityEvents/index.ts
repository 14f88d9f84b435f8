import Icon from "@mui/icons-material/GppMaybe";

import { SecurityEventList } from "./SecurityEventList";

export default { list: SecurityEventList, icon: Icon, options: { label: "Security events" } };
