"""attn saves encoder-decoders in transformers' layout: a BART / Marian fixture loaded by attn
(through the C API in build/libattn.so) and saved again loads in transformers with no missing or
unexpected keys, the original's logits, and the same beam-search output."""
import json

import pytest
import torch

from conftest import REF_DIR
from test_bert_save import attn_resave


@pytest.mark.parametrize("name", ["bart_tiny", "marian_tiny"])
def test_hf_loads_attn_saved_encdec(tmp_path, name):
    import transformers
    src, dst = REF_DIR / name, tmp_path / name
    attn_resave(src, dst)
    arch = json.loads((dst / "config.json").read_text())["architectures"][0]
    assert arch == json.loads((src / "config.json").read_text())["architectures"][0]
    cls = getattr(transformers, arch)
    orig = cls.from_pretrained(str(src)).eval()
    ours, info = cls.from_pretrained(str(dst), output_loading_info=True)
    ours.eval()
    assert not info["missing_keys"] and not info["unexpected_keys"], info
    cfg = orig.config
    gen = torch.Generator().manual_seed(5)
    ids = torch.randint(3, cfg.vocab_size - 1, (2, 6), generator=gen)
    ids[1, -2:] = cfg.pad_token_id
    mask = (ids != cfg.pad_token_id).long()
    dec = torch.randint(3, cfg.vocab_size - 1, (2, 5), generator=gen)
    dec[:, 0] = cfg.decoder_start_token_id
    with torch.no_grad():
        a = orig(input_ids=ids, attention_mask=mask, decoder_input_ids=dec)
        b = ours(input_ids=ids, attention_mask=mask, decoder_input_ids=dec)
        torch.testing.assert_close(b.logits, a.logits, atol=1e-5, rtol=0)
        kw = dict(input_ids=ids, attention_mask=mask, num_beams=3, max_length=8, length_penalty=1.3)
        assert torch.equal(orig.generate(**kw), ours.generate(**kw))
