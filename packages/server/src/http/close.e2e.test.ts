// Shutting a server down must not wait on a connection that was accepted just before and
// upgraded to a WebSocket after the clients were told to go (a reconnecting client or an edge
// opening a session link at that moment): close() finishes, and that socket is dropped.

import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { startLocalJazzServer } from "../testing/local.ts";

describe("server close()", () => {
  it("finishes although a WebSocket upgrade arrives on an already-open connection after close() started", async () => {
    const server = await startLocalJazzServer();
    const socket = connect(server.port, "127.0.0.1");
    await new Promise<void>((r) => socket.once("connect", () => r()));
    const ended = new Promise<void>((r) => socket.once("close", () => r()));
    const closing = server.stop();
    socket.write(
      [
        `GET /apps/${server.appId}/ws HTTP/1.1`,
        `Host: 127.0.0.1:${server.port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        "",
        "",
      ].join("\r\n"),
    );
    const outcome = await Promise.race([closing.then(() => "closed"), new Promise((r) => setTimeout(() => r("still open after 5 s"), 5_000))]);
    expect(outcome).toBe("closed");
    await ended;
  });
});
