export * from "./enums";
export * from "./errors";
export * from "./limits";
export * from "./models";
export * from "./contracts/fields";
export * from "./contracts/logs";
export * from "./contracts/projects";
export * from "./contracts/utilities";
