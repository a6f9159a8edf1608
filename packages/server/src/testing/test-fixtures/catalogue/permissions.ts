import { definePermissions } from "@jazz-tools/core/permissions";
import { app } from "./schema.ts";

export default definePermissions(app, ({ policy, session }) => {
  policy.todos.allowRead.where({ owner_id: session.user_id });
  policy.todos.allowInsert.where({ owner_id: session.user_id });
});
