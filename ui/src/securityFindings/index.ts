import Icon from "@mui/icons-material/Security";

import { FindingList } from "./FindingList";

export default { list: FindingList, icon: Icon, options: { label: "Security" } };
