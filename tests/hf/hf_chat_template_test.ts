/**
 * Chat templates rendered by the kit (npm @huggingface/jinja) equal transformers'
 * `apply_chat_template(..., tokenize=False)` for a Qwen2.5-style and a Llama-style template, with
 * and without the generation prompt, on conversations with a system turn, CRLF, tabs, emoji and
 * non-ASCII text. The tokenizer folders are saved by transformers in the test
 * (testing/hf_peer/make_chat.py).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type ChatMessage, readChatTemplate } from "../../lib/hf/mod.ts";
import { hfPeerOutput } from "../../testing/hf_peer/mod.ts";

interface Case {
  readonly messages: ChatMessage[];
  readonly generation: string;
  readonly plain: string;
}

Deno.test("chat templates: the kit's rendering equals transformers' apply_chat_template", async () => {
  const dir = await hfPeerOutput("chat");
  {
    const expected: Record<string, Case[]> = JSON.parse(
      await Deno.readTextFile(join(dir, "chat_expected.json")),
    );
    for (const style of ["qwen2-chat", "llama-chat"]) {
      const template = await readChatTemplate(join(dir, style));
      assert.ok(template !== null, `${style}: no template found`);
      for (const [i, c] of expected[style].entries()) {
        assert.equal(
          template.render(c.messages, { addGenerationPrompt: true }),
          c.generation,
          `${style} #${i}`,
        );
        assert.equal(template.render(c.messages), c.plain, `${style} #${i} without the prompt`);
      }
    }
    const llama = (await readChatTemplate(join(dir, "llama-chat")))!;
    assert.throws(
      () => llama.render([{ role: "tool" as "user", content: "x" }]),
      /llama-chat\/chat_template\.jinja: the chat template failed: .*unknown role tool/,
    );
  }
});
