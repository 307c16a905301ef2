/**
 * transformers and Python `tokenizers` as peers of the kit's Hugging Face code: scripts that make
 * tiny checkpoints, tokenizers and chat templates with them and record what they compute, run in
 * the cached environment of `python/requirements-hf.txt`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { pythonEnv } from "../python_env/mod.ts";

/** The peer scripts of this folder. */
export const HF_PEER_SCRIPTS = {
  /** Tiny random Qwen2/Llama folders with reference.json (make_tiny.py). */
  tiny: "make_tiny.py",
  /** Two tokenizers and 1,200 strings' ids and offsets (make_tokenizers.py). */
  tokenizers: "make_tokenizers.py",
  /** Tokenizer folders with chat templates and apply_chat_template's renderings (make_chat.py). */
  chat: "make_chat.py",
  /** Tiny GGUF files (F32/F16/Q8_0/Q4_0/Q4_1), refused ones, and transformers' readings (make_gguf.py). */
  gguf: "make_gguf.py",
  /** transformers' reading of the real SmolLM2-135M-Instruct Q4_1 GGUF (smollm2_gguf.py). */
  smollm2: "smollm2_gguf.py",
  /** Tiny models with PEFT adapters, pairs, and torch + PEFT's losses, gradients and steps (peft_lora.py). */
  peft: "peft_lora.py",
  /** TRL's TargetDPOTrainer loss of one batch of a v2 pairs file (trl_loss.py). */
  trl: "trl_loss.py",
} as const;

const _made = new Map<string, Promise<string>>();

/**
 * Runs a peer script into a new temp folder (once per process and script) and returns the folder;
 * callers must not change it (copy it first).
 */
export function hfPeerOutput(script: keyof typeof HF_PEER_SCRIPTS): Promise<string> {
  let made = _made.get(script);
  if (made === undefined) {
    made = (async () => {
      const dir = await Deno.makeTempDir({ prefix: `kit-hf-${script}-` });
      // Removed when the process (or the test worker) ends.
      globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
      await runHfPeer(script, [dir]);
      return dir;
    })();
    _made.set(script, made);
  }
  return made;
}

/**
 * Runs a peer script with `args` (its other modes, for example `peft_lora.py read …`) and
 * returns its stdout; a failure throws with its stderr.
 */
export async function runHfPeer(
  script: keyof typeof HF_PEER_SCRIPTS,
  args: readonly string[],
): Promise<string> {
  const path = fileURLToPath(new URL(HF_PEER_SCRIPTS[script], import.meta.url));
  const out = await new Deno.Command(await pythonEnv("requirements-hf.txt"), {
    args: [path, ...args],
    env: {
      HF_HUB_OFFLINE: "1",
      TOKENIZERS_PARALLELISM: "false",
      PYTHONPATH: fileURLToPath(new URL("../../integrations/trl/", import.meta.url)),
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `${HF_PEER_SCRIPTS[script]} ${args.join(" ")} failed (exit ${out.code}): ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}
