import { TraceParams } from "@tracira/shared";
import { memberProcedure, router } from "../init";

export const tracesRouter = router({
  get: memberProcedure.input(TraceParams).query(({ ctx, input }) => ctx.deps.services.traces.get(ctx.auth.workspaceId, input.traceId)),
});
