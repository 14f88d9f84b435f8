import Icon from "@mui/icons-material/Speed";

import { CapacityPage } from "./CapacityPage";

export default { list: CapacityPage, icon: Icon, options: { label: "Capacity" } };
