/**
 * Generate with a Hugging Face model folder (Qwen2 or Llama family: config.json, safetensors
 * weights, tokenizer.json, and a chat template for instruct models) and print one JSON object:
 * the prompt's token ids, the generated ids and their text.
 *
 * ```sh
 * deno task generate --model models/Qwen2.5-Coder-0.5B-Instruct --prompt "Write add(a, b)" --max-new-tokens 64 --greedy --chat
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { generateText, loadHfFolder } from "../lib/hf/mod.ts";

const USAGE =
  `usage: deno task generate --model DIR|FILE.gguf --prompt TEXT --max-new-tokens N [options]

  --model DIR|FILE      a Hugging Face model folder (config.json, model.safetensors or shards,
                        tokenizer.json; tokenizer_config.json / chat_template.jinja for --chat),
                        or a .gguf file (F32/F16/BF16/Q8_0/Q4_0/Q4_1; tokenizer from its metadata)
  --prompt TEXT         the prompt (with --chat: the user's message)
  --max-new-tokens N    at most N new tokens
  --greedy              arg-max decoding (the default)
  --temperature T       sample at temperature T instead (with --top-p P, --seed S)
  --chat                format the prompt with the model's chat template
  --stop STRING         end before this string (repeatable)
  --backend NAME        tfjs backend: wasm (default) or cpu
`;

function fail(message: string): never {
  console.error(`generate: ${message}\n\n${USAGE}`);
  Deno.exit(2);
}

function positiveNumber(name: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    fail(
      `${name} expects a positive ${integer ? "integer" : "number"}, found ${JSON.stringify(v)}`,
    );
  }
  return n;
}

if (import.meta.main) {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        model: { type: "string" },
        prompt: { type: "string" },
        "max-new-tokens": { type: "string" },
        greedy: { type: "boolean" },
        temperature: { type: "string" },
        "top-p": { type: "string" },
        seed: { type: "string" },
        chat: { type: "boolean" },
        stop: { type: "string", multiple: true },
        backend: { type: "string", default: "wasm" },
        help: { type: "boolean" },
      },
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  if (values.model === undefined) fail("--model is required");
  if (values.prompt === undefined) fail("--prompt is required");
  const maxNewTokens = positiveNumber("--max-new-tokens", values["max-new-tokens"], true);
  if (maxNewTokens === undefined) fail("--max-new-tokens is required");
  const temperature = positiveNumber("--temperature", values.temperature, false);
  if (values.greedy && temperature !== undefined) {
    fail("--greedy and --temperature exclude each other");
  }
  if (values.backend !== "wasm" && values.backend !== "cpu") {
    fail(`--backend expects wasm or cpu, found ${JSON.stringify(values.backend)}`);
  }
  const seed = values.seed === undefined ? 0 : Number(values.seed);
  if (!Number.isInteger(seed)) {
    fail(`--seed expects an integer, found ${JSON.stringify(values.seed)}`);
  }
  await initBackend(values.backend);
  let folder;
  try {
    folder = await loadHfFolder(values.model);
    const r = await generateText(folder, values.prompt, {
      maxNewTokens,
      chat: values.chat ?? false,
      strategy: temperature === undefined ? "greedy" : "sample",
      temperature,
      topP: positiveNumber("--top-p", values["top-p"], false),
      seed,
      stop: values.stop ?? [],
    });
    console.log(JSON.stringify({ model: values.model, ...r }));
  } catch (e) {
    console.error(`generate: ${(e as Error).message}`);
    Deno.exit(1);
  } finally {
    folder?.model.dispose();
  }
}
