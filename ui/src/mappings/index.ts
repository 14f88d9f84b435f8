import Icon from "@mui/icons-material/AltRoute";

import { MappingCreate } from "./MappingCreate";
import { MappingEdit } from "./MappingEdit";
import { MappingList } from "./MappingList";

export default { list: MappingList, edit: MappingEdit, create: MappingCreate, icon: Icon, recordRepresentation: "name" };
