import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** Real redis-server processes on free ports (never the shared one on 6379); `stopAllRedis` in afterAll. */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-redis-"));
const servers = new Set<ChildProcess>();

export interface RedisServer {
  port: number;
  url: string;
  child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts redis-server (nothing written to disk) and waits until it accepts connections. */
export async function startRedis(port?: number): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(tmp, `${p}-`));
  const child = spawn("redis-server", ["--port", String(p), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  servers.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => servers.delete(child));
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited:\n${out}`));
    });
  });
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    child,
    kill: async (signal = "SIGKILL") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export async function stopAllRedis(): Promise<void> {
  const running = [...servers];
  for (const child of running) child.kill("SIGKILL");
  await Promise.all(
    running.map((c) => new Promise((resolve) => (c.exitCode === null && c.signalCode === null ? c.once("exit", resolve) : resolve(null)))),
  );
  fs.rmSync(tmp, { recursive: true, force: true });
}
