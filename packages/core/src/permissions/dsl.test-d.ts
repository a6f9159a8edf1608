import { expectTypeOf, test } from "vitest";
import { schema as s } from "../index.ts";
import type { PermissionsBundle } from "./bundle.ts";

const schema = {
  workspaces: s.table({ name: s.string() }),
  documents: s.table({ title: s.string(), workspaceId: s.ref("workspaces"), views: s.int() }),
};
const app: s.App<s.Schema<typeof schema>> = s.defineApp(schema);

test("policy tables and row callbacks are typed from the app", () => {
  const bundle = s.definePermissions(app, ({ policy, session, isCreator }) => {
    const isMember = (workspaceId: string) => policy.workspaces.exists.where({ id: workspaceId, $createdBy: session.user_id });
    policy.documents.allowRead.where((doc) => {
      expectTypeOf(doc.workspaceId).toEqualTypeOf<string>();
      expectTypeOf(doc.views).toEqualTypeOf<number>();
      expectTypeOf(doc.$createdBy).toEqualTypeOf<string>();
      return isMember(doc.workspaceId);
    });
    policy.documents.allowUpdate.whereOld(isCreator).whereNew({ views: { gte: 0 } });
    // @ts-expect-error unknown table
    policy.nope.allowRead.always();
  });
  expectTypeOf(bundle).toEqualTypeOf<PermissionsBundle>();
});
