"""Target-DPO for TRL: the kit's export format v2 read, its character spans mapped to token masks
with the model's own tokenizer offsets, and the focal masks put into TRL's `completion_mask`."""

from .data import PairsFileError, read_pairs
from .masks import focal_token_mask
from .trainer import VARIANTS, TargetDPOTrainer, variant_config

__all__ = ["PairsFileError", "read_pairs", "focal_token_mask", "VARIANTS", "TargetDPOTrainer", "variant_config"]
