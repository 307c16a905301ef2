/**
 * Local OpenAI-compatible servers on 127.0.0.1 (port 0), the kit's only allowed test doubles:
 * the scripted teacher of the synthesis tests and benchmarks (`startTestServer`), and the
 * scripted code model of the evaluation tests (`startOpenAITestServer`). Test-only code: nothing
 * under `lib/` imports it.
 *
 * @module
 */
export * from "./synth_server.ts";
export * from "./eval_server.ts";
