/**
 * A deliberately hostile HTTP server on 127.0.0.1, speaking raw TCP so that it
 * can misbehave in ways a well-mannered HTTP library would not allow: accept
 * and never answer, trickle bytes, answer garbage, cut the connection in the
 * middle of a body, refuse with 5xx/429 for ever, close at once, redirect to
 * itself. Every behaviour applies to every request it gets.
 */
import net from "node:net";

export type Behaviour =
  /** Accepts the connection, reads the request, never answers. */
  | { kind: "silent" }
  /** Sends one byte every `everyMs`: of the status line and headers, or of a body that never ends. */
  | { kind: "trickle"; everyMs: number; part: "headers" | "body" }
  /** 200 with an HTML body. */
  | { kind: "garbage" }
  /** 200 with a complete but truncated JSON document. */
  | { kind: "truncated-json" }
  /** 200 with 64 KiB of headers (more than Node accepts). */
  | { kind: "huge-headers" }
  /** 200 announcing 10000 bytes, sending 20, then resetting the connection. */
  | { kind: "reset-mid-body" }
  /** The same status for ever, with an optional Retry-After. */
  | { kind: "status"; status: number; retryAfter?: string }
  /** Closes every connection as soon as it is accepted. */
  | { kind: "close-on-connect" }
  /** 302 to the same URL. */
  | { kind: "redirect-loop" }
  /** 401 whose body quotes the request in several encodings, as a careless proxy might. */
  | { kind: "echo-401" };

export interface HostileServer {
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Requests whose head was read so far. */
  requests(): { method: string; path: string; body: string }[];
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = { 200: "OK", 302: "Found", 401: "Unauthorized", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable" };

function response(status: number, headers: Record<string, string>, body: string): string {
  const h = { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)), Connection: "close", ...headers };
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Whatever"}\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n${body}`;
}

/** Starts a hostile server; `close` ends every connection it holds. */
export async function startHostile(b: Behaviour): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const seen: { method: string; path: string; body: string }[] = [];
  let accepted = 0;
  let port = 0;

  const every = (ms: number, fn: () => boolean) => {
    const t = setInterval(() => {
      if (!fn()) {
        clearInterval(t);
        timers.delete(t);
      }
    }, ms);
    timers.add(t);
  };

  const answer = (socket: net.Socket, method: string, path: string, body: string) => {
    switch (b.kind) {
      case "silent":
        return;
      case "trickle": {
        const text = b.part === "headers" ? "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " : `${response(200, { "Content-Length": "100000000" }, "")}`;
        if (b.part === "body") socket.write(text);
        let i = 0;
        every(b.everyMs, () => {
          if (socket.destroyed) return false;
          socket.write(b.part === "headers" ? (text[i] ?? "a") : " ");
          i++;
          return true;
        });
        return;
      }
      case "garbage":
        socket.end(response(200, { "Content-Type": "text/html" }, "<html><body>Welcome to nginx!</body></html>"));
        return;
      case "truncated-json":
        socket.end(response(200, {}, '{"token": {"expires_at": "2030-01-01T00:00:00Z", "catal'));
        return;
      case "huge-headers":
        socket.end(response(200, { "X-Huge": "x".repeat(64 * 1024) }, "{}"));
        return;
      case "reset-mid-body":
        socket.write(response(200, { "Content-Length": "10000" }, "").concat('{"servers": [{"id":'));
        setTimeout(() => socket.resetAndDestroy(), 20);
        return;
      case "status":
        socket.end(response(b.status, b.retryAfter !== undefined ? { "Retry-After": b.retryAfter } : {}, JSON.stringify({ error: { code: b.status, message: "go away" } })));
        return;
      case "close-on-connect":
        socket.destroy();
        return;
      case "redirect-loop":
        socket.end(response(302, { Location: `http://127.0.0.1:${port}${path}` }, ""));
        return;
      case "echo-401": {
        const echo = {
          error: {
            code: 401,
            title: "Unauthorized",
            message: `The request you have made requires authentication. You sent: ${body}`,
            form: new URLSearchParams({ body }).toString(),
            component: encodeURIComponent(body),
            base64: Buffer.from(body).toString("base64"),
            base64url: Buffer.from(body).toString("base64url"),
            method,
          },
        };
        socket.end(response(401, {}, JSON.stringify(echo)));
        return;
      }
    }
  };

  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    if (b.kind === "close-on-connect") {
      socket.destroy();
      return;
    }
    let buf = Buffer.alloc(0);
    let done = false;
    socket.on("data", (chunk: Buffer) => {
      if (done) return;
      buf = Buffer.concat([buf, chunk]);
      const text = buf.toString("utf8");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = text.slice(0, end);
      const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      const body = buf.subarray(Buffer.byteLength(head) + 4);
      if (body.length < len) return;
      done = true;
      const [method = "", path = ""] = head.split(" ");
      seen.push({ method, path, body: body.toString("utf8") });
      answer(socket, method, path, body.toString("utf8"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => accepted,
    requests: () => seen,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
