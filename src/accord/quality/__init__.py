"""accord.quality: agreement, truth inference, matching and gold scoring (pure NumPy/SciPy).

Annotations come in long format: a DataFrame whose first three columns are item, annotator and
value, or a tuple ``(items, annotators, values)``; missing values are dropped. See
``docs/quality.md`` for formulas, citations and examples.

>>> from accord.quality import krippendorff_alpha, majority_vote
>>> data = (["a", "a", "b", "b"], ["x", "y", "x", "y"], [1, 1, 0, 1])
>>> round(krippendorff_alpha(data), 3)
0.0
>>> majority_vote(data).as_dict()
{'a': 1, 'b': 0}
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# Names are loaded on first use (PEP 562), so that a command that needs Dawid-Skene does not
# pay for SciPy's statistics, optimisation and image code at start-up.
if TYPE_CHECKING:
    from accord.quality.agreement import (
        AgreementReport,
        PairAgreement,
        agreement_report,
        gwet_ac1,
        pairwise_kappa,
        percent_agreement,
    )
    from accord.quality.bootstrap import bootstrap_ci
    from accord.quality.box_fusion import FusedBoxes, fuse_boxes
    from accord.quality.boxes import box_iou, rotated_box_iou
    from accord.quality.continuous import (
        NumericConsensus,
        RobustConsensus,
        item_mean,
        item_median,
        robust_mean,
    )
    from accord.quality.data import Categorical, Numeric, as_categorical, as_numeric
    from accord.quality.dawid_skene import dawid_skene, one_coin_dawid_skene
    from accord.quality.errors import UndefinedStatisticError
    from accord.quality.glad import glad
    from accord.quality.gold import (
        GoldScores,
        annotator_accuracy,
        annotator_scores,
        wilson_interval,
    )
    from accord.quality.kappa import cohen_kappa, fleiss_kappa
    from accord.quality.keypoints import keypoint_oks
    from accord.quality.krippendorff import krippendorff_alpha
    from accord.quality.mace import mace
    from accord.quality.masks import mask_iou, rle_area, rle_decode, rle_encode
    from accord.quality.matching import (
        BatchMatch,
        Match,
        match_boxes,
        match_boxes_batched,
        match_similarity,
        precision_recall_f1,
    )
    from accord.quality.pairwise import PairwiseScores, bradley_terry
    from accord.quality.polygons import polygon_area, polygon_iou
    from accord.quality.results import Aggregation
    from accord.quality.spans import span_f1, span_token_vote
    from accord.quality.text import TextMedoids, cer, edit_distance, text_medoid, wer
    from accord.quality.voting import majority_vote, wawa

_WHERE = {
    "Aggregation": "results",
    "AgreementReport": "agreement",
    "BatchMatch": "matching",
    "Categorical": "data",
    "FusedBoxes": "box_fusion",
    "GoldScores": "gold",
    "Match": "matching",
    "Numeric": "data",
    "PairAgreement": "agreement",
    "PairwiseScores": "pairwise",
    "NumericConsensus": "continuous",
    "RobustConsensus": "continuous",
    "TextMedoids": "text",
    "UndefinedStatisticError": "errors",
    "agreement_report": "agreement",
    "annotator_accuracy": "gold",
    "annotator_scores": "gold",
    "as_categorical": "data",
    "as_numeric": "data",
    "bootstrap_ci": "bootstrap",
    "box_iou": "boxes",
    "bradley_terry": "pairwise",
    "cer": "text",
    "cohen_kappa": "kappa",
    "dawid_skene": "dawid_skene",
    "edit_distance": "text",
    "fleiss_kappa": "kappa",
    "fuse_boxes": "box_fusion",
    "glad": "glad",
    "gwet_ac1": "agreement",
    "keypoint_oks": "keypoints",
    "krippendorff_alpha": "krippendorff",
    "mace": "mace",
    "majority_vote": "voting",
    "mask_iou": "masks",
    "match_boxes": "matching",
    "match_boxes_batched": "matching",
    "match_similarity": "matching",
    "one_coin_dawid_skene": "dawid_skene",
    "pairwise_kappa": "agreement",
    "percent_agreement": "agreement",
    "polygon_area": "polygons",
    "polygon_iou": "polygons",
    "precision_recall_f1": "matching",
    "rle_area": "masks",
    "rle_decode": "masks",
    "rle_encode": "masks",
    "item_mean": "continuous",
    "item_median": "continuous",
    "robust_mean": "continuous",
    "rotated_box_iou": "boxes",
    "span_f1": "spans",
    "span_token_vote": "spans",
    "text_medoid": "text",
    "wawa": "voting",
    "wer": "text",
    "wilson_interval": "gold",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'accord.quality' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"accord.quality.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Aggregation",
    "AgreementReport",
    "BatchMatch",
    "Categorical",
    "FusedBoxes",
    "GoldScores",
    "Match",
    "Numeric",
    "NumericConsensus",
    "PairAgreement",
    "PairwiseScores",
    "RobustConsensus",
    "TextMedoids",
    "UndefinedStatisticError",
    "agreement_report",
    "annotator_accuracy",
    "annotator_scores",
    "as_categorical",
    "as_numeric",
    "bootstrap_ci",
    "box_iou",
    "bradley_terry",
    "cer",
    "cohen_kappa",
    "dawid_skene",
    "edit_distance",
    "fleiss_kappa",
    "fuse_boxes",
    "glad",
    "gwet_ac1",
    "item_mean",
    "item_median",
    "keypoint_oks",
    "krippendorff_alpha",
    "mace",
    "majority_vote",
    "mask_iou",
    "match_boxes",
    "match_boxes_batched",
    "match_similarity",
    "one_coin_dawid_skene",
    "pairwise_kappa",
    "percent_agreement",
    "polygon_area",
    "polygon_iou",
    "precision_recall_f1",
    "rle_area",
    "rle_decode",
    "rle_encode",
    "robust_mean",
    "rotated_box_iou",
    "span_f1",
    "span_token_vote",
    "text_medoid",
    "wawa",
    "wer",
    "wilson_interval",
]


# Three functions share their module's name. Importing such a module (as `accord.jobs` does:
# ``from accord.quality.dawid_skene import dawid_skene``) makes Python bind the module as the
# package's attribute of that name, so a later ``from accord.quality import dawid_skene`` would
# give the module, not the function. The package keeps the function there instead. (Modules
# are still reached by ``from accord.quality.dawid_skene import ...``.)
_FUNCTION_NAMED_MODULES = frozenset({"dawid_skene", "glad", "mace"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTION_NAMED_MODULES and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
