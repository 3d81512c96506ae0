/**
 * web — the frontend. `GET /` calls the backend and returns its answer; a failed or slow
 * backend call is retried (bounded, short backoff) so the backend's occasional 500s do
 * not reach the client. `GET /health` answers without touching the backend.
 *
 * Environment: PORT (8080), BACKEND_URL (required), BACKEND_TIMEOUT_MS (1000, per
 * attempt), BACKEND_RETRIES (3, extra attempts after the first), BACKEND_BACKOFF_MS (5,
 * doubled per retry).
 */
import { Agent, request as httpRequest } from "node:http";
import { sendJson, serve } from "../../lib/http";
import { configure, numberFromEnv, stringFromEnv } from "../../lib/runtime";

const config = configure(() => {
  const env = process.env;
  const backendUrl = new URL(stringFromEnv(env, "BACKEND_URL"));
  if (backendUrl.protocol !== "http:") throw new Error("BACKEND_URL: must be an http:// URL");
  return {
    port: numberFromEnv(env, "PORT", 8080, { min: 0, max: 65_535, integer: true }),
    backendUrl,
    timeoutMs: numberFromEnv(env, "BACKEND_TIMEOUT_MS", 1000, { min: 1, integer: true }),
    retries: numberFromEnv(env, "BACKEND_RETRIES", 3, { min: 0, max: 10, integer: true }),
    backoffMs: numberFromEnv(env, "BACKEND_BACKOFF_MS", 5, { min: 0, integer: true }),
  };
});

/** Reused connections to the backend: a new TCP handshake per call would dominate the latency. */
const backendAgent = new Agent({ keepAlive: true, maxSockets: 256 });

interface BackendReply {
  status: number;
  body: unknown;
}

/** One backend call; rejects on a network error or when `timeoutMs` passes. */
function callBackend(): Promise<BackendReply> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(
      config.backendUrl,
      { agent: backendAgent, timeout: config.timeoutMs },
      (reply) => {
        const chunks: Buffer[] = [];
        reply.on("data", (chunk: Buffer) => chunks.push(chunk));
        reply.on("error", reject);
        reply.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: pass the text through
          }
          resolve({ status: reply.statusCode ?? 0, body });
        });
      },
    );
    // `timeout` fires on socket inactivity; destroying the request turns it into an error.
    call.on("timeout", () =>
      call.destroy(new Error(`backend timed out after ${config.timeoutMs} ms`)),
    );
    call.on("error", reject);
    call.end();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries 5xx, network errors and timeouts; a 4xx is the caller's problem and is returned as is. */
async function callBackendWithRetries(): Promise<BackendReply & { attempts: number }> {
  let lastProblem = "no attempt made";
  let attempts = 0;
  while (attempts <= config.retries) {
    if (attempts > 0) await sleep(config.backoffMs * 2 ** (attempts - 1));
    attempts += 1;
    try {
      const reply = await callBackend();
      if (reply.status < 500) return { ...reply, attempts };
      lastProblem = `backend answered ${reply.status}`;
    } catch (error) {
      lastProblem = String(error);
    }
  }
  // The attempts made, counted: a loop bound off by one shows in the reply.
  return { status: 502, body: { error: "backend unavailable", cause: lastProblem }, attempts };
}

await serve("web", config.port, async (request, response) => {
  const path = new URL(request.url ?? "/", "http://web").pathname;
  if (request.method !== "GET") return sendJson(response, 405, { error: "method not allowed" });
  if (path === "/health") return sendJson(response, 200, { status: "ok" });
  if (path !== "/") return sendJson(response, 404, { error: "not found" });
  const reply = await callBackendWithRetries();
  sendJson(response, reply.status, {
    service: "web",
    attempts: reply.attempts,
    backend: reply.body,
  });
});
