// `jazz-tools/permissions`: the permissions DSL for an app's permissions.ts
// (`export default definePermissions(app, ({ policy, session, ... }) => { ... })`).

export {
  definePermissions,
  PermissionsDefinitionError,
  PolicyDeniedError,
  InvalidPermissionsBundleError,
  type PermissionsBundle,
  type PermissionHelpers,
  type PolicySession,
} from "@jazz-tools/core/permissions";
