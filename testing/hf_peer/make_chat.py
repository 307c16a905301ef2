"""Tokenizer folders with a Qwen2.5-style and a Llama-style chat template, saved by transformers,
and what `apply_chat_template` renders for a few conversations.

Usage: python make_chat.py OUT_DIR

OUT_DIR/<style>/ is written by `save_pretrained` of a `PreTrainedTokenizerFast` (tokenizer.json,
tokenizer_config.json and the template as transformers stores it); OUT_DIR/chat_expected.json
holds, per style, each conversation's rendering with and without the generation prompt.
"""

import json
import sys
from pathlib import Path

from transformers import PreTrainedTokenizerFast

sys.path.insert(0, str(Path(__file__).parent))
from make_tokenizers import llama, qwen2  # noqa: E402

# Written for these tests in the shape of the two families' templates (not copied from a model).
QWEN_STYLE = (
    "{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>system\\nYou are a helpful coding assistant.<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if not (message.role == 'system' and loop.first) %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
LLAMA_STYLE = (
    "{{ bos_token }}"
    "{%- for message in messages %}"
    "{%- if message['role'] == 'system' %}{{ message['content'].strip() + '\\n\\n' }}"
    "{%- elif message['role'] == 'user' %}{{ '### Instruction:\\n' + message['content'].strip() + '\\n' }}"
    "{%- elif message['role'] == 'assistant' %}{{ '### Response:\\n' + message['content'] + '\\n' + eos_token + '\\n' }}"
    "{%- else %}{{ raise_exception('unknown role ' + message['role']) }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{ '### Response:\\n' }}{%- endif %}"
)

CONVERSATIONS = [
    [{"role": "user", "content": "Write a function that adds two numbers."}],
    [
        {"role": "system", "content": "  You write Python.  "},
        {"role": "user", "content": "def f(x):\r\n\treturn x  # fix me 😀"},
        {"role": "assistant", "content": "def f(x):\n    return x + 1\n"},
        {"role": "user", "content": "Now for naïve café ünïcode."},
    ],
]


def main() -> None:
    out = Path(sys.argv[1])
    expected = {}
    for style, tok, template, specials in (
        ("qwen2-chat", qwen2(), QWEN_STYLE, {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}),
        ("llama-chat", llama(), LLAMA_STYLE, {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}),
    ):
        fast = PreTrainedTokenizerFast(tokenizer_object=tok, **specials)
        fast.chat_template = template
        fast.save_pretrained(out / style)
        expected[style] = [
            {
                "messages": conv,
                "generation": fast.apply_chat_template(conv, tokenize=False, add_generation_prompt=True),
                "plain": fast.apply_chat_template(conv, tokenize=False, add_generation_prompt=False),
            }
            for conv in CONVERSATIONS
        ]
    (out / "chat_expected.json").write_text(json.dumps(expected))


if __name__ == "__main__":
    main()
