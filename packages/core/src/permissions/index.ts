// Row-level permissions: the DSL (definePermissions), the bundle it produces, the compiler from
// policies to SQL predicates, and the write checks built on those predicates.

export { definePermissions, PolicyCondition, PermissionsDefinitionError } from "./dsl.ts";
export type {
  PermissionHelpers,
  PermissionsTarget,
  PolicyRow,
  PolicyTables,
  RuleBuilder,
  GrantChain,
  TablePolicyBuilder,
  SessionRefs,
  AllowedTo,
  Condition,
  WhereObject,
} from "./dsl.ts";
export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  DEFAULT_MAX_DEPTH,
  MAX_DEPTH_CAP,
  InvalidPermissionsBundleError,
  parsePermissionsBundle,
} from "./bundle.ts";
export type { PermissionsBundle, PolicyExpr, Operand, Literal, CmpOp, TablePolicies, UpdateGrant, PolicySession } from "./bundle.ts";
export {
  CompiledPolicies,
  compilePolicies,
  PolicyCompileError,
  policyExpr,
  sessionValue,
  evalCmp,
  encodeForColumn,
  literalValue,
} from "./compile.ts";
export type { SqlFragment, PolicyHook, PolicyOp } from "./compile.ts";
export { PolicyDeniedError, checkWrite, isWriteAllowed, checkRowWrite, readStoredRow } from "./check.ts";
export type { StoredRow, WriteOp } from "./check.ts";
export { PermissionsState, checkBatch, projectBatches, policyTables, readPolicyScope, assertBundleFitsSchema, isRowLocalWrite } from "./enforce.ts";
export { LocalPermissions } from "./local.ts";
export { provideLocalPermissions } from "./lazy.ts";
