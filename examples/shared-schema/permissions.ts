// The todo examples' permissions (reference §4): everyone reads, each user writes only the
// todos they own. Pushed to the sync server by jazzPlugin; offline there is no server to enforce.
import { definePermissions } from "jazz-tools/permissions";
import { app } from "./schema.ts";

export default definePermissions(app, ({ policy, session }) => {
  policy.projects.allowRead.where({});
  policy.projects.allowInsert.where({});
  policy.todos.allowRead.where({});
  policy.todos.allowInsert.where({ owner_id: session.user_id });
  policy.todos.allowUpdate.whereOld({ owner_id: session.user_id }).whereNew({ owner_id: session.user_id });
  policy.todos.allowDelete.where({ owner_id: session.user_id });
});
