# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write a tiny GGUF model that answers every prompt with one chosen word, repeated.

A smoke-test model for the OpenAI-compatible server of the backend image: it proves the
path gateway -> backend -> model -> back without a GPU, a model hub or a download, and its
answer is known in advance.

How it answers: a llama-architecture model with all attention and feed-forward weights
zero, every token embedding the same vector and one row of the output matrix non-zero.
The residual stream is then the same at every position, so greedy (or any temperature
short of absurd) decoding picks the answer token every time, until max_tokens.

The vocabulary is SentencePiece-style ("llama" tokenizer) with the 256 byte-fallback
tokens, so any prompt tokenizes (one token a byte), plus the answer word.

    python3 smoke_model.py OUT.gguf [--answer WORD] [--context 131072]
"""

import argparse

import numpy as np
import gguf

EMBED = 32
HEADS = 4
FF = 64
# a chat template that renders string and list-of-parts contents (OpenAI's both shapes)
# and ignores tools: the smoke model only answers
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['role'] }}: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% elif message['content'] %}{% for part in message['content'] %}"
    "{{ part.get('text', '') }}{% endfor %}{% endif %}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant: {% endif %}")


def vocabulary(answer):
    tokens, scores, types = [b"<unk>", b"<s>", b"</s>"], [0.0, 0.0, 0.0], [
        gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    for byte in range(256):
        tokens.append(("<0x%02X>" % byte).encode())
        scores.append(0.0)
        types.append(gguf.TokenType.BYTE)
    tokens.append(("\u2581" + answer).encode("utf-8"))  # "▁word": a space, then the word
    scores.append(0.0)
    types.append(gguf.TokenType.NORMAL)
    return tokens, scores, types


def write(path, answer, context):
    tokens, scores, types = vocabulary(answer)
    vocab = len(tokens)
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("clawops-smoke-" + answer)
    writer.add_context_length(context)
    writer.add_embedding_length(EMBED)
    writer.add_block_count(1)
    writer.add_feed_forward_length(FF)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(EMBED // HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_chat_template(CHAT_TEMPLATE)

    f32 = np.float32
    writer.add_tensor("token_embd.weight", np.ones((vocab, EMBED), dtype=f32))
    writer.add_tensor("output_norm.weight", np.ones((EMBED,), dtype=f32))
    output = np.zeros((vocab, EMBED), dtype=f32)
    output[vocab - 1, :] = 1.0  # only the answer token scores: logit 32 against 0
    writer.add_tensor("output.weight", output)
    zeros = {"attn_q": (EMBED, EMBED), "attn_k": (EMBED, EMBED), "attn_v": (EMBED, EMBED),
             "attn_output": (EMBED, EMBED), "ffn_gate": (FF, EMBED), "ffn_up": (FF, EMBED),
             "ffn_down": (EMBED, FF)}
    writer.add_tensor("blk.0.attn_norm.weight", np.ones((EMBED,), dtype=f32))
    writer.add_tensor("blk.0.ffn_norm.weight", np.ones((EMBED,), dtype=f32))
    for name, shape in zeros.items():
        writer.add_tensor("blk.0.%s.weight" % name, np.zeros(shape, dtype=f32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--answer", default="pong")
    parser.add_argument("--context", type=int, default=131072)
    args = parser.parse_args()
    write(args.out, args.answer, args.context)


if __name__ == "__main__":
    main()
