"""Tiny GGUF files written with llama.cpp's `gguf` package, and what transformers computes from them.

Usage: python make_gguf.py OUT_DIR

For each case below, OUT_DIR/<name>.gguf holds a tiny random Qwen2 or Llama model (transformers'
random init) written the way llama.cpp's converter writes one: llama.cpp tensor names, dims in
GGML order, Llama's q/k rows permuted for GGML's RoPE, matrices quantised by `gguf.quants`
(F32, F16, Q8_0, Q4_0, Q4_1), and the byte-level tokenizer of make_tokenizers.py with its chat
template in the metadata. OUT_DIR/<name>.json holds transformers' reading of the file
(`from_pretrained(..., gguf_file=...)`): its config, the logits of two fixed prompts and a greedy
continuation, and a few tensors as `gguf.quants.dequantize` gives them. OUT_DIR/tokenizer.json is
the original tokenizer and OUT_DIR/expected.json its ids and offsets for 1,200 strings, to check
the tokenizer rebuilt from the metadata against.
"""

import importlib.metadata
import json
import sys
from pathlib import Path

import gguf
import numpy as np
import torch
from transformers import AutoModelForCausalLM, LlamaConfig, Qwen2Config

sys.path.insert(0, str(Path(__file__).parent))
from make_chat import QWEN_STYLE  # noqa: E402
from make_tokenizers import qwen2, strings, utf16  # noqa: E402

Q = gguf.GGMLQuantizationType
VOCAB = 640
PROMPTS = [[1, 17, 33, 5, 64, 2, 90, 41, 8, 77, 12, 3], [4, 4, 60, 21, 9, 88, 35, 50, 6, 1, 70, 15]]
COMMON = dict(
    vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
    max_position_embeddings=256, rms_norm_eps=1e-6, initializer_range=0.2,
)
# name: (config, type of the token embedding, of the attention matrices, of the MLP matrices)
CASES = {
    "qwen2-f16-q8_0": (Qwen2Config(**COMMON, num_key_value_heads=2, rope_theta=1e6, tie_word_embeddings=True), Q.F16, Q.Q8_0, Q.Q8_0),
    "qwen2-q4_0": (Qwen2Config(**COMMON, num_key_value_heads=1, rope_theta=1e4, tie_word_embeddings=False), Q.Q8_0, Q.Q4_0, Q.Q4_0),
    "llama-q4_1": (LlamaConfig(**COMMON, num_key_value_heads=2, rope_theta=1e5, tie_word_embeddings=True), Q.Q8_0, Q.Q4_1, Q.Q4_1),
    "llama-f32-untied": (LlamaConfig(**COMMON, num_key_value_heads=4, rope_theta=1e4, tie_word_embeddings=False), Q.F32, Q.F32, Q.F16),
}
NAMES = {
    "model.embed_tokens.weight": "token_embd.weight",
    "model.norm.weight": "output_norm.weight",
    "lm_head.weight": "output.weight",
}
LAYER = {
    "input_layernorm.weight": "attn_norm.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}


def gguf_name(name: str) -> str:
    if name in NAMES:
        return NAMES[name]
    _, _, layer, rest = name.split(".", 3)
    for hf, g in LAYER.items():
        if rest.startswith(hf):
            return f"blk.{layer}.{g}{rest[len(hf):]}"
    raise KeyError(name)


def permute(w: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp's converter: HF's rotate-half rows to GGML's interleaved pairs."""
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def write_tokenizer(w: gguf.GGUFWriter, tok) -> None:
    vocab = tok.get_vocab(with_added_tokens=True)
    by_id = {i: t for t, i in vocab.items()}
    special = {t.content for t in tok.get_added_tokens_decoder().values()}
    tokens = [by_id.get(i, f"[PAD{i}]") for i in range(VOCAB)]
    types = [3 if t in special else 5 if i not in by_id else 1 for i, t in enumerate(tokens)]
    merges = json.loads(tok.to_str())["model"]["merges"]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in merges])
    w.add_eos_token_id(vocab["<|im_end|>"])
    w.add_pad_token_id(vocab["<|endoftext|>"])
    w.add_add_bos_token(False)
    w.add_chat_template(QWEN_STYLE)


def write(out: Path, name: str, config, embed_type, attn_type, mlp_type) -> dict:
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config).to(torch.float32)
    arch = config.model_type
    path = out / f"{name}.gguf"
    w = gguf.GGUFWriter(str(path), arch)
    w.add_name(name)
    w.add_context_length(config.max_position_embeddings)
    w.add_embedding_length(config.hidden_size)
    w.add_feed_forward_length(config.intermediate_size)
    w.add_block_count(config.num_hidden_layers)
    w.add_head_count(config.num_attention_heads)
    w.add_head_count_kv(config.num_key_value_heads)
    w.add_layer_norm_rms_eps(config.rms_norm_eps)
    w.add_rope_freq_base(config.rope_parameters["rope_theta"])
    w.add_vocab_size(VOCAB)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    write_tokenizer(w, qwen2())
    kinds = {}
    for hf_name, t in model.state_dict().items():
        if hf_name == "lm_head.weight" and config.tie_word_embeddings:
            continue
        data = t.numpy()
        g = gguf_name(hf_name)
        if arch == "llama" and (".attn_q." in g or ".attn_k." in g):
            heads = config.num_attention_heads if ".attn_q." in g else config.num_key_value_heads
            data = permute(data, heads)
        qtype = Q.F32
        if data.ndim == 2:
            qtype = embed_type if g in ("token_embd.weight", "output.weight") else attn_type if ".attn_" in g else mlp_type
        kinds[g] = qtype.name
        if qtype == Q.F32:
            w.add_tensor(g, data.astype(np.float32))
        elif qtype == Q.F16:
            w.add_tensor(g, data.astype(np.float16))
        else:
            w.add_tensor(g, gguf.quants.quantize(data, qtype), raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    reader = gguf.GGUFReader(str(path))
    sample = {}
    for t in reader.tensors:
        if t.name in ("token_embd.weight", "blk.0.attn_q.weight", "blk.1.ffn_down.weight"):
            sample[t.name] = gguf.quants.dequantize(t.data, t.tensor_type).flatten()[:512].tolist()
    ref = AutoModelForCausalLM.from_pretrained(str(out), gguf_file=path.name, dtype=torch.float32).eval()
    ids = torch.tensor(PROMPTS)
    with torch.no_grad():
        logits = ref(ids).logits
        new = ref.generate(ids, max_new_tokens=16, min_new_tokens=16, do_sample=False, use_cache=True)
    c = ref.config
    return {
        "config": {
            "model_type": c.model_type, "vocab_size": c.vocab_size, "hidden_size": c.hidden_size,
            "num_key_value_heads": c.num_key_value_heads, "tie_word_embeddings": c.tie_word_embeddings,
        },
        "types": kinds,
        "dequantized": sample,
        "prompts": PROMPTS,
        "logits": logits.flatten().tolist(),
        "shape": list(logits.shape),
        "greedy": new[:, ids.shape[1]:].tolist(),
    }


def write_bad(out: Path) -> None:
    """Files the kit must refuse, each with one thing wrong: the architecture, a tensor type, the
    tokenizer model, the RoPE scaling."""
    good = gguf.GGUFReader(str(out / "qwen2-q4_0.gguf"))
    for name, change in {
        "bad-arch": lambda w: None,
        "bad-type": lambda w: None,
        "bad-tokenizer": lambda w: None,
        "bad-rope": lambda w: w.add_string("qwen2.rope.scaling.type", "yarn"),
    }.items():
        arch = "gemma" if name == "bad-arch" else "qwen2"
        w = gguf.GGUFWriter(str(out / f"{name}.gguf"), arch)
        for field in good.fields.values():
            key = field.name
            if key.startswith("GGUF.") or key == "general.architecture":
                continue
            if name == "bad-tokenizer" and key == "tokenizer.ggml.model":
                w.add_string(key, "llama")
                continue
            vtype = field.types[0]
            value = field.contents()
            if vtype == gguf.GGUFValueType.ARRAY:
                w.add_array(key, value)
            else:
                w.add_key_value(key.replace("qwen2.", f"{arch}."), value, vtype)
        change(w)
        for t in good.tensors:
            if name == "bad-type" and t.name == "blk.0.ffn_up.weight":
                w.add_tensor(t.name, gguf.quants.quantize(gguf.quants.dequantize(t.data, t.tensor_type), Q.Q5_0), raw_dtype=Q.Q5_0)
            else:
                w.add_tensor(t.name, np.asarray(t.data), raw_dtype=t.tensor_type)
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, case in CASES.items():
        (out / f"{name}.json").write_text(json.dumps(write(out, name, *case)))
    write_bad(out)
    tok = qwen2()
    tok.save(str(out / "tokenizer.json"))
    texts = strings(1200, 3)
    rows = []
    for text in texts:
        enc = tok.encode(text)
        rows.append({"ids": enc.ids, "offsets": [[utf16(text, s), utf16(text, e)] for s, e in enc.offsets]})
    (out / "expected.json").write_text(json.dumps({"strings": texts, "qwen2": rows}))
    print(json.dumps({"cases": list(CASES), "gguf": importlib.metadata.version("gguf")}))


if __name__ == "__main__":
    main()
