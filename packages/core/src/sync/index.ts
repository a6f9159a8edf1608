// @jazz-tools/core/sync — the sync wire protocol and the WebSocket ReplicaLink to a server.
export * from "./protocol.ts";
export { ServerLink, authHeaders, type ServerLinkOptions, type WebSocketLike, type WebSocketCtor, type LinkStatus, type AuthEvent } from "./server-link.ts";
export { createServerUpstream, type ServerUpstream, type ServerUpstreamContext, type UpstreamReplica } from "./worker-upstream.ts";
