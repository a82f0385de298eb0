import { defineApp, version as platformVersion } from "zapier-platform-core";
import authentication from "./authentication";
import addStep from "./creates/add_step";
import decideLog from "./creates/decide_log";
import logExecution from "./creates/log_execution";
import { addBearerToken, handleErrors } from "./middleware";
import findLog from "./searches/find_log";
import models from "./triggers/models";
import newDecision from "./triggers/new_decision";
import newVerdict from "./triggers/new_verdict";
import projects from "./triggers/projects";
import tasks from "./triggers/tasks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require("../package.json") as { version: string };

export default defineApp({
  version,
  platformVersion,
  authentication,
  beforeRequest: [addBearerToken],
  afterResponse: [handleErrors],
  // core 18+ throws its own ThrottledError on a 429 before afterResponse runs; `false` lets handleErrors
  // answer it (same Retry-After delay, Tracira's wording).
  flags: { throwForThrottlingEarly: false },
  triggers: {
    [newVerdict.key]: newVerdict,
    [newDecision.key]: newDecision,
    [models.key]: models,
    [projects.key]: projects,
    [tasks.key]: tasks,
  },
  creates: {
    [logExecution.key]: logExecution,
    [decideLog.key]: decideLog,
    [addStep.key]: addStep,
  },
  searches: {
    [findLog.key]: findLog,
  },
});
