/**
 * `adapter_config.json` as PEFT writes it: read back into the same LoRA config (targets in the
 * kit's order whatever PEFT's order), and every option the kit does not compute refused naming
 * the file and the field.
 */
import assert from "node:assert/strict";
import { parsePeftAdapterConfig, peftAdapterConfig, resolveLoraConfig } from "../../lib/hf/mod.ts";

const lora = resolveLoraConfig({ rank: 8, alpha: 16, dropout: 0.1, targets: ["v_proj", "q_proj"] });

Deno.test("PEFT adapter config: round trip, PEFT's target order, refusals name file and field", () => {
  assert.deepEqual(lora.targets, ["q_proj", "v_proj"]);
  const written = peftAdapterConfig(lora, "/m");
  assert.deepEqual(parsePeftAdapterConfig(written, "a.json"), lora);
  const shuffled = { ...written, target_modules: ["v_proj", "q_proj"], peft_version: "0.21.2" };
  assert.deepEqual(parsePeftAdapterConfig(shuffled, "a.json"), lora);
  const refused: [string, unknown][] = [
    ["use_dora", true],
    ["use_rslora", true],
    ["bias", "all"],
    ["modules_to_save", ["lm_head"]],
    ["rank_pattern", { "q_proj": 4 }],
    ["peft_type", "IA3"],
  ];
  for (const [field, value] of refused) {
    assert.throws(
      () => parsePeftAdapterConfig({ ...written, [field]: value }, "a.json"),
      new RegExp(`^ModelFileError: a\\.json: field "${field}": `),
      field,
    );
  }
  assert.throws(
    () => parsePeftAdapterConfig({ ...written, r: 0 }, "a.json"),
    /a\.json: field "r\/lora_alpha\/lora_dropout\/target_modules": LoRA rank must be an integer >= 1, found 0/,
  );
});
