import { FAST_DELIVERIES } from "../../../backend/test/helpers/deliveries";
import { createTestDatabase } from "../../../backend/test/helpers/postgres";
import { startServerProcess } from "../../../backend/test/helpers/process";
import type { Call } from "../../../backend/test/helpers/server";

export interface Backend {
  url: string;
  /** The first workspace's token, printed on the first start. */
  token: string;
  /** Calls the API with that token unless another (or null) is given. */
  call: Call;
  close(): Promise<void>;
}

/**
 * The built backend (`backend/dist/main.js`) as a real process on a fresh Postgres database, with
 * deliveries retried and polled fast; `close()` stops it and drops the database.
 */
export async function startBackend(env: Record<string, string> = {}): Promise<Backend> {
  const db = await createTestDatabase();
  try {
    const server = await startServerProcess({ DATABASE_URL: db.url, ...FAST_DELIVERIES, ...env });
    const token = server.printedToken;
    if (!token) throw new Error(`the backend printed no token on its first start:\n${server.stdout()}`);
    return {
      url: server.url,
      token,
      call: server.call(token),
      close: async () => {
        await server.kill("SIGTERM");
        await db.drop();
      },
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}
