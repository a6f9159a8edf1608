import { fileURLToPath } from "node:url";
import { describeTodoApp } from "../shared-schema/e2e-suite.ts";

describeTodoApp("todo-react", fileURLToPath(new URL(".", import.meta.url)), { passkey: true, devtools: true });
